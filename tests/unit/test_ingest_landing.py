"""Landing against a real S3 HTTP API (moto's server on 127.0.0.1), and the CLI."""

from __future__ import annotations

import json

import boto3
import duckdb
import pytest
from terpadu.cli import main
from terpadu.ingest import ingest_source, land_delivery, load_deliveries, scan_inbox
from terpadu.storage import sha256_file

from tests.unit.ingest_fixtures import (  # noqa: F401  (pytest fixtures)
    PERIOD,
    REGION,
    csv_bytes,
    dtks_name,
    dtks_rows,
    s3_settings,
    settings,
    write,
)


@pytest.mark.slow
def test_landing_in_s3_is_unchanged_and_deduplicated(s3_settings):  # noqa: F811
    settings, endpoint = s3_settings
    path = write(settings.inbox_dir / "dtks", dtks_name(), csv_bytes(dtks_rows(), ";"))
    manifest = land_delivery("dtks", path, settings)
    sha = sha256_file(path)
    assert manifest["outcome"] == "landed"
    assert manifest["landing_key"] == f"landing/dtks/35.10/{PERIOD}/{sha}/{dtks_name()}"
    s3 = boto3.client("s3", endpoint_url=endpoint)
    body = s3.get_object(Bucket="terpadu-test", Key=f"landing-zone/{manifest['landing_key']}")["Body"].read()
    assert body == path.read_bytes()
    [result] = load_deliveries("dtks", [manifest], settings)  # reads the landed copy back from S3
    assert (result["outcome"], result["rows_loaded"]) == ("accepted", 6)
    stored = json.loads(s3.get_object(Bucket="terpadu-test",
                                      Key=f"landing-zone/{manifest['manifest_key']}")["Body"].read())
    assert stored["outcome"] == "accepted" and stored["row_count"] == 6 and stored["sha256"] == sha
    assert stored["contract_version"] and stored["size_bytes"] == path.stat().st_size and stored["received_at"]
    again = land_delivery("dtks", path, settings)
    assert again["outcome"] == "duplicate" and again["duplicate_of"] == manifest["delivery_id"]
    assert load_deliveries("dtks", [again], settings)[0]["outcome"] == "duplicate"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="terpadu-test")["Contents"]]
    assert len(keys) == 2


def test_scan_inbox_skips_partial_and_lock_files(settings):  # noqa: F811
    folder = settings.inbox_dir / "dtks"
    for name in (dtks_name(), ".hidden.csv", "~$DAFTAR.xlsx", "DTKS_3510_202610.csv.part"):
        write(folder, name, b"x")
    assert [p.rsplit("/", 1)[1] for p in scan_inbox("dtks", settings)] == [dtks_name()]
    with pytest.raises(ValueError, match="unknown source"):
        scan_inbox("bpjs", settings)


def test_cli_reports_per_delivery_and_exits_1_on_rejection(settings, capsys):  # noqa: F811
    rows = dtks_rows()
    rows[0]["JENIS_KELAMIN"] = "L"
    write(settings.inbox_dir / "dtks", dtks_name(), csv_bytes(rows, ";"))
    write(settings.inbox_dir / "dtks", f"DTKS_{REGION}_202611.csv", b"")
    assert main(["ingest", "--source", "dtks"]) == 1
    out = capsys.readouterr().out
    assert f"{dtks_name()}: accepted, 5 loaded, 1 quarantined (bad_enum 1)" in out
    assert "DTKS_3510_202611.csv: rejected" in out and "is empty" in out
    assert "total: 2 deliveries (1 accepted, 1 rejected, 0 duplicate), 5 rows loaded, 1 quarantined" in out
    # A second run is a no-op and still succeeds for the accepted file.
    main(["ingest", "--source", "dtks"])
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    assert conn.execute("SELECT count(*) FROM raw.dtks_persons").fetchone()[0] == 5
    assert conn.execute("SELECT count(*) FROM raw.delivery_log").fetchone()[0] == 2
    conn.close()


def test_ingest_source_with_explicit_inbox(settings, tmp_path):  # noqa: F811
    other = tmp_path / "elsewhere"
    write(other, dtks_name(), csv_bytes(dtks_rows(), ";"))
    [result] = ingest_source("dtks", settings, progress=None, inbox=other)
    assert result["outcome"] == "accepted"

"""The publisher: verified releases, held regions keep their last release, re-publishing is a no-op,
and the report never shows a clear NIK."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from terpadu.publish import build_portal, publish_region
from terpadu.quality import validate_region
from terpadu.quality.suites import FLAG_TYPES
from terpadu.storage import open_store

from tests.unit.test_quality_fixtures import (
    REGION_A,
    REGION_B,
    build_marts,
    make_settings,
    nik_for,
    write_run,
)

R1, R2 = "20261001T000000Z", "20261101T000000Z"
NO_DATA = "35.73"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    return make_settings(tmp_path, monkeypatch)


def _gate_and_publish(settings, run_id, frames, regions=(REGION_A, REGION_B, NO_DATA)):
    write_run(settings, run_id, frames)
    out = {}
    for code in regions:
        validate_region(run_id, code, settings)
        out[code] = publish_region(run_id, code, settings)
    return out


def _store(settings):
    return open_store(settings.object_store_url, settings.s3_endpoint_url)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One published run shared by the tests that only read it (validating costs ~1 s a region)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = make_settings(tmp_path_factory.mktemp("shared"), monkeypatch)
        return settings, _gate_and_publish(settings, R1, build_marts())


@pytest.fixture
def published(settings):
    return _gate_and_publish(settings, R1, build_marts())


def test_release_files_verify_against_the_manifest(shared):
    settings, published = shared
    assert published[REGION_A]["status"] == published[REGION_B]["status"] == "published"
    store = _store(settings)
    latest = json.loads(store.get_bytes(f"releases/{REGION_A}/latest.json"))
    assert latest["run_id"] == R1 and latest["manifest_key"] == f"releases/{REGION_A}/{R1}/manifest.json"
    manifest_bytes = store.get_bytes(latest["manifest_key"])
    assert hashlib.sha256(manifest_bytes).hexdigest() == latest["manifest_sha256"]
    manifest = json.loads(manifest_bytes)
    paths = {f["path"] for f in manifest["files"]}
    assert {"readiness.html", "readiness.pdf", "extract/persons.parquet", "extract/persons.csv"} <= paths
    assert any(p.startswith("worklists/") and p.endswith(".xlsx") for p in paths)
    for entry in manifest["files"]:
        data = store.get_bytes(f"releases/{REGION_A}/{R1}/{entry['path']}")
        assert len(data) == entry["size"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    rows = {f["path"]: f["rows"] for f in manifest["files"]}
    assert rows["extract/persons.parquet"] == rows["extract/persons.csv"] == 40
    assert manifest["code_version"] == "test-version" and manifest["run_id"] == R1
    assert {d["source"] for d in manifest["source_deliveries"]} == {"dukcapil", "dtks"}
    assert all(len(d["sha256"]) == 64 for d in manifest["source_deliveries"])
    assert manifest["gate"]["passed"] is True
    audit = json.loads(store.get_bytes(f"releases/_audit/{R1}/{REGION_A}.json"))
    assert audit[-1]["what"] == "published" and audit[-1]["manifest_sha256"] == latest["manifest_sha256"]
    assert audit[-1]["who"]


def test_extract_keeps_clear_nik_as_text(shared):
    settings, published = shared
    store = _store(settings)
    local = Path(store.root) / "releases" / REGION_A / R1 / "extract"
    con = duckdb.connect()
    niks = con.execute("select nik from read_parquet(?) order by person_id",
                       [str(local / "persons.parquet")]).fetchall()
    csv_niks = con.execute("select nik from read_csv(?, all_varchar = true) order by person_id",
                           [str(local / "persons.csv")]).fetchall()
    assert niks[0][0] == csv_niks[0][0] == nik_for(REGION_A, 0)  # region access level: clear NIK


def test_republishing_the_same_run_is_a_no_op(shared):
    settings, published = shared
    root = Path(_store(settings).root)
    before = _snapshot(root)
    again = publish_region(R1, REGION_A, settings)
    assert again["status"] == "unchanged"
    assert _snapshot(root) == before


def test_held_region_keeps_its_previous_release(settings, published):
    frames = build_marts()
    persons = frames["dim_persons"]
    persons.loc[persons.person_id == f"{REGION_A}-P00030", "nik"] = "351001"
    results = _gate_and_publish(settings, R2, frames, regions=(REGION_A, REGION_B))
    held = results[REGION_A]
    assert held["status"] == "held" and held["latest_run_id"] == R1
    assert "1 NIK berstatus valid tetapi bukan 16 digit" in held["reasons"][0]["id"]
    store = _store(settings)
    assert json.loads(store.get_bytes(f"releases/{REGION_A}/latest.json"))["run_id"] == R1
    assert not any(store.list(f"releases/{REGION_A}/{R2}/"))
    assert json.loads(store.get_bytes(f"releases/{REGION_B}/latest.json"))["run_id"] == R2
    audit = json.loads(store.get_bytes(f"releases/_audit/{R2}/{REGION_A}.json"))
    assert audit[-1]["what"] == "held"

    index = Path(build_portal(R2, settings)).read_text()
    assert "ditahan" in index and "bukan 16 digit" in index
    page = (Path(store.root) / "portal" / f"{REGION_A}.html").read_text()
    assert f"Rilis berlaku: {R1}" in page  # the previous release is still what the portal offers


def test_warning_is_published_and_shown_in_the_report(settings):
    frames = build_marts()
    deliveries = frames["deliveries"]
    deliveries.loc[(deliveries.region_code == REGION_A) & (deliveries.source == "dukcapil"), "rows_loaded"] = 400
    result = _gate_and_publish(settings, R1, frames, regions=(REGION_A,))[REGION_A]
    assert result["status"] == "published"
    assert [w["rule"] for w in result["warnings"]] == ["fct_region_readiness.reconciles_with_dukcapil"]
    html = (Path(_store(settings).root) / "releases" / REGION_A / R1 / "readiness.html").read_text()
    assert "berbeda lebih dari 10% dari jumlah yang dikirim Dukcapil" in html


def test_report_with_every_flag_type_and_without_flags(shared):
    settings, published = shared
    root = Path(_store(settings).root) / "releases"
    with_flags = (root / REGION_A / R1 / "readiness.html").read_text()
    for flag_type in FLAG_TYPES:
        assert flag_type in with_flags
    assert 'name="viewport"' in with_flags and "Skor kesiapan" in with_flags and "Desil" in with_flags
    without = (root / REGION_B / R1 / "readiness.html").read_text()
    assert "Tidak ada temuan" in without
    # no flag sheets; region B's workbook holds only its clerical-review pairs to decide
    books = list((root / REGION_B / R1).glob("worklists/*.xlsx"))
    assert {sheet for book in books for sheet in load_workbook(book).sheetnames} == {"clerical_review"}


def test_nik_never_appears_unmasked_in_the_report(shared):
    settings, published = shared
    html = (Path(_store(settings).root) / "releases" / REGION_A / R1 / "readiness.html").read_text()
    assert not re.search(r"\d{16}", html)
    flagged = nik_for(REGION_A, 1)  # the dead recipient
    assert flagged not in html
    assert f"{flagged[:4]}********{flagged[-4:]}" in html


def test_worklists_have_a_sheet_per_problem_and_nik_as_text(shared):
    settings, published = shared
    folder = Path(_store(settings).root) / "releases" / REGION_A / R1 / "worklists"
    books = sorted(folder.glob("*.xlsx"))
    assert books and all(re.fullmatch(r"35\.10\.\d\d\.xlsx", b.name) for b in books)
    sheets = set()
    for path in books:
        book = load_workbook(path)
        for sheet in book.worksheets:
            sheets.add(sheet.title)
            if sheet.title in FLAG_TYPES:
                nik_cell = sheet.cell(row=2, column=2)
                assert isinstance(nik_cell.value, str) and len(nik_cell.value) == 16
                assert nik_cell.number_format == "@"
    # one sheet per flag type, plus the clerical-review pairs (tests/unit/test_publish_sections.py)
    assert sheets == {*FLAG_TYPES, "clerical_review"}


def test_portal_lists_every_pilot_region_with_working_links(shared):
    settings, published = shared
    index_path = Path(build_portal(R1, settings))
    index = index_path.read_text()
    for code in (REGION_A, REGION_B, NO_DATA):
        assert f'href="{code}.html"' in index
        assert (index_path.parent / f"{code}.html").exists()
    assert "diterbitkan" in index and "tidak ada data" in index and "82.0%" in index
    page = (index_path.parent / f"{REGION_A}.html").read_text()
    hrefs = re.findall(r'href="([^"]+)"', page)
    targets = [index_path.parent / h for h in hrefs if h.startswith("../releases/")]
    assert len(targets) >= 4 and all(t.resolve().is_file() for t in targets)


def test_publishing_requires_a_gate_result(settings):
    write_run(settings, R1, build_marts())
    with pytest.raises(FileNotFoundError, match="terpadu quality"):
        publish_region(R1, REGION_A, settings)


def test_publish_to_s3_uses_presigned_portal_links(tmp_path, monkeypatch):
    import boto3
    from moto import mock_aws

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    settings = make_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("TERPADU_OBJECT_STORE", "s3://terpadu-releases/pilot")
    from terpadu.settings import Settings

    s3_settings = Settings.from_env()
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="terpadu-releases")
        results = _gate_and_publish(s3_settings, R1, build_marts(), regions=(REGION_A,))
        assert results[REGION_A]["status"] == "published"
        store = _store(s3_settings)
        manifest = json.loads(store.get_bytes(f"releases/{REGION_A}/{R1}/manifest.json"))
        for entry in manifest["files"]:
            data = store.get_bytes(f"releases/{REGION_A}/{R1}/{entry['path']}")
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        url = build_portal(R1, s3_settings)
        assert url.startswith("https://") and "X-Amz-Signature" in url
        page = store.get_bytes(f"portal/{REGION_A}.html").decode()
        assert "X-Amz-Signature" in page and "readiness.html" in page
    assert settings.state_dir == s3_settings.state_dir

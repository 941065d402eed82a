"""End to end through the real DAGs (dag.test): simulated deliveries for a few pilot regions →
ingest → integrate → quality gate → publish, then the releases are checked the way a region would:
every region present, every input row accounted for, manifests that verify."""

from __future__ import annotations

import hashlib
import json

import pytest
from terpadu.orchestration import runner
from terpadu.settings import get_settings
from terpadu.sources.contracts import SOURCES
from terpadu.storage import open_store
from terpadu.warehouse import connect

from .helpers import simulate_small, write_pilot_list

pytestmark = pytest.mark.slow

REGIONS = ["81.71", "35.76", "52.71"]  # Kota Ambon, Kota Mojokerto, Kota Mataram

# simulator row counters per source, as ingest's delivery log groups them
SOURCE_ROWS = {
    "dtks": ("dtks",),
    "dukcapil": ("dukcapil", "dukcapil_nik_verifications"),
    "regsosek": ("regsosek_keluarga", "regsosek_individu"),
    "kabkota": ("kabkota_usulan", "kabkota_sanggahan", "kabkota_ground_check"),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("TERPADU_STATE_DIR", str(tmp / "state"))
        for name in ("TERPADU_OBJECT_STORE", "TERPADU_S3_ENDPOINT_URL", "TERPADU_WAREHOUSE", "TERPADU_INBOX_DIR"):
            monkeypatch.delenv(name, raising=False)
        write_pilot_list(tmp, monkeypatch, REGIONS)
        settings = get_settings()
        simulated = simulate_small(settings.state_dir, REGIONS, persons=1500)
        outcomes = runner.run_dags(settings, progress=lambda *_: None)
        summary = runner.pipeline_summary(settings, outcomes)
        yield {"settings": settings, "simulated": simulated, "outcomes": outcomes, "summary": summary,
               "monkeypatch": monkeypatch}


def test_every_dag_and_task_succeeds(pipeline):
    outcomes = pipeline["outcomes"]
    assert [o.dag_id for o in outcomes] == [dag_id for _, dag_id in runner.PIPELINE]
    for outcome in outcomes:
        assert outcome.ok, outcome
        bad = [t for t in outcome.tasks if t["state"] not in {"success", "skipped"}]
        assert not bad, f"{outcome.dag_id}: {bad}"
    validated = [t for t in outcomes[-2].tasks if t["task"].startswith("validate[")]
    assert len(validated) == len(REGIONS), "the gate maps one task per pilot region"


def test_every_delivered_row_is_loaded_or_quarantined(pipeline):
    simulated = pipeline["simulated"]["rows"]
    with connect(read_only=True, settings=pipeline["settings"]) as con:
        logged = dict(con.execute(
            "select source, sum(rows_read) from raw.delivery_log where outcome = 'accepted' group by source"
        ).fetchall())
        unbalanced = con.execute(
            "select original_file from raw.delivery_log where rows_read != rows_loaded + rows_quarantined"
        ).fetchall()
        # counted in the tables themselves, not taken from the log
        for source in SOURCES.values():
            for entity in source.entities:
                loaded = con.execute(f"select count(*) from raw.{entity.raw_table}").fetchone()[0]
                quarantined = con.execute(
                    "select count(distinct (delivery_id, row_number)) from raw.quarantine "
                    "where source = ? and entity = ?", [source.name, entity.name],
                ).fetchone()[0]
                counter = f"{source.name}_{entity.name}"
                counter = counter if counter in simulated else source.name  # DTKS, Dukcapil persons
                assert loaded + quarantined == simulated[counter], entity.raw_table
    assert not unbalanced
    for source, counters in SOURCE_ROWS.items():
        assert logged[source] == sum(simulated[c] for c in counters), source


def test_each_region_has_a_release_whose_manifest_verifies(pipeline):
    settings = pipeline["settings"]
    store = open_store(settings.object_store_url)
    run_id = pipeline["summary"]["run_id"]
    with connect(read_only=True, settings=settings) as con:
        persons = dict(con.execute("select region_code, count(*) from marts.dim_persons group by 1").fetchall())
        readiness = dict(con.execute(
            "select region_code, persons_integrated from marts.fct_region_readiness").fetchall())
    for region in REGIONS:
        latest = json.loads(store.get_bytes(f"releases/{region}/latest.json"))
        assert latest["run_id"] == run_id
        manifest_bytes = store.get_bytes(latest["manifest_key"])
        assert hashlib.sha256(manifest_bytes).hexdigest() == latest["manifest_sha256"]
        manifest = json.loads(manifest_bytes)
        assert manifest["code_version"] == settings.code_version
        assert {d["source"] for d in manifest["source_deliveries"]} == set(SOURCE_ROWS)
        files = {entry["path"]: entry for entry in manifest["files"]}
        assert {"readiness.html", "extract/persons.parquet", "extract/persons.csv"} <= set(files)
        for path, entry in files.items():
            body = store.get_bytes(f"releases/{region}/{run_id}/{path}")
            assert len(body) == entry["size"], path
            assert hashlib.sha256(body).hexdigest() == entry["sha256"], path
        # the extract holds exactly the region's integrated persons, as the readiness mart counts them
        assert files["extract/persons.parquet"]["rows"] == persons[region] == readiness[region] > 0
        assert files["extract/persons.csv"]["rows"] == persons[region]


def test_summary_reports_every_region_published(pipeline):
    summary = pipeline["summary"]
    assert sorted(r["region_code"] for r in summary["regions"]) == sorted(REGIONS)
    assert all(r["gate"] == "pass" and r["published_run"] == summary["run_id"] for r in summary["regions"])
    assert summary["portal"].endswith("/portal/index.html")
    portal = pipeline["settings"].state_dir / "objectstore" / "portal" / "index.html"
    html = portal.read_text(encoding="utf-8")
    assert all(region in html for region in REGIONS)


def test_running_ingest_again_is_a_no_op(pipeline):
    settings = pipeline["settings"]
    with connect(read_only=True, settings=settings) as con:
        before = con.execute("select count(*) from raw.delivery_log").fetchone()[0]
    outcomes = runner.run_dags(settings, [f"ingest_{s}" for s in SOURCE_ROWS], progress=lambda *_: None)
    for outcome in outcomes:
        assert outcome.ok
        states = {t["task"]: t["state"] for t in outcome.tasks}
        # nothing new accepted → no Asset event, so integration is not re-triggered
        assert states["load"] == "skipped", outcome.dag_id
    with connect(read_only=True, settings=settings) as con:
        assert con.execute("select count(*) from raw.delivery_log").fetchone()[0] == before

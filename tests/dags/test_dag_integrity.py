"""The DAG files import cleanly and are wired the way the pipeline depends on."""

from __future__ import annotations

import pytest
from terpadu.sources.contracts import SOURCES
from terpadu.warehouse import WRITER_POOL

EXPECTED_DAGS = {f"ingest_{name}" for name in SOURCES} | {"integrate", "quality_gate", "publish"}


def scheduled_on(dag) -> set[str]:
    """URIs of the Assets whose events schedule this DAG."""
    return {asset.uri for asset in dag.timetable.asset_condition.objects}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import PROJECT_ROOT

    return DagBag(str(PROJECT_ROOT / "dags"))


def test_dag_files_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED_DAGS


def test_file_name_equals_dag_id(dagbag):
    for dag_id in EXPECTED_DAGS:
        assert dagbag.dags[dag_id].fileloc.endswith(f"/dags/{dag_id}.py")


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_house_style(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert dag.doc_md and dag_id in dag.doc_md
    assert "terpadu" in dag.tags


# Dukcapil can also be pulled from its web service: two more tasks before the scan, one leaf after the pulls.
EXTRA_INGEST_TASKS = {"dukcapil": {"pull_regions", "pull", "pulls_failed"}}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_ingest_dag_lands_in_parallel_and_loads_through_the_single_writer(dagbag, source):
    dag = dagbag.dags[f"ingest_{source}"]
    assert dag.timetable.expression == "*/15 * * * *"
    assert set(dag.task_ids) == {"scan", "land", "load"} | EXTRA_INGEST_TASKS.get(source, set())
    assert dag.get_task("land").upstream_task_ids == {"scan"}
    assert dag.get_task("load").upstream_task_ids == {"land"}
    assert dag.get_task("land").is_mapped
    load = dag.get_task("load")
    assert load.pool == WRITER_POOL
    assert [a.uri for a in load.outlets] == [f"terpadu://warehouse/raw/{source}"]


def test_dukcapil_pulls_per_pilot_region_before_the_scan(dagbag):
    dag = dagbag.dags["ingest_dukcapil"]
    pull = dag.get_task("pull")
    assert pull.is_mapped and pull.upstream_task_ids == {"pull_regions"}
    assert pull.map_index_template == "{{ region_code }}"
    assert pull.retries >= 1  # a retry resumes from the page checkpoint
    assert pull.pool != WRITER_POOL  # pulling writes the inbox, not the warehouse
    scan = dag.get_task("scan")
    assert scan.upstream_task_ids == {"pull"}
    # file drop mode (no connection: no pull instances) and a failed region must not stop the scan
    assert scan.trigger_rule == "all_done"
    # ... but a failed pull still fails the run: a leaf that fires only then
    pulls_failed = dag.get_task("pulls_failed")
    assert pulls_failed.upstream_task_ids == {"pull"} and pulls_failed.trigger_rule == "one_failed"
    assert not pulls_failed.downstream_task_ids
    for source in set(SOURCES) - {"dukcapil"}:
        assert dagbag.dags[f"ingest_{source}"].get_task("scan").upstream_task_ids == set()


def test_integrate_is_scheduled_on_every_source_and_emits_the_marts(dagbag):
    dag = dagbag.dags["integrate"]
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any one source's new delivery re-integrates
    assert scheduled_on(dag) == {f"terpadu://warehouse/raw/{name}" for name in SOURCES}
    assert dag.get_task("export_marts").upstream_task_ids == {"dbt_build"}
    for task_id in ("dbt_build", "export_marts"):
        assert dag.get_task(task_id).pool == WRITER_POOL
    assert [a.uri for a in dag.get_task("export_marts").outlets] == ["terpadu://warehouse/marts"]


def test_gate_maps_over_regions_and_records_through_the_writer(dagbag):
    dag = dagbag.dags["quality_gate"]
    assert scheduled_on(dag) == {"terpadu://warehouse/marts"}
    validate = dag.get_task("validate")
    assert validate.is_mapped
    assert validate.upstream_task_ids == {"resolve_run", "pilot_region_codes"}
    record = dag.get_task("record")
    assert record.upstream_task_ids == {"resolve_run", "validate"}
    assert record.pool == WRITER_POOL
    # validation only reads exported files, so it must not queue on the writer pool
    assert validate.pool != WRITER_POOL


def test_publish_maps_over_regions_and_always_rebuilds_the_portal(dagbag):
    dag = dagbag.dags["publish"]
    assert scheduled_on(dag) == {"terpadu://runs/gate"}
    assert dag.get_task("publish_region").is_mapped
    national = dag.get_task("national_extract")
    assert "publish_region" in national.upstream_task_ids
    assert national.trigger_rule == "none_failed"
    portal = dag.get_task("portal")
    assert "national_extract" in portal.upstream_task_ids
    # a held (skipped) region must not stop the portal from listing the others
    assert portal.trigger_rule == "none_failed"

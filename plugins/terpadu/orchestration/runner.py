"""`terpadu run`: the project's DAGs, executed in order without a running scheduler.

Each DAG runs through `dag.test()`, which executes every task in this process against the project's
SQLite metadata DB, so the code path is the one the scheduler uses (TaskFlow, mapping, XCom,
Assets), only sequential. The order follows the Asset graph: ingest (4 sources) → integrate →
quality_gate → publish.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from terpadu.orchestration import airflow_env
from terpadu.orchestration.context import describe_reasons
from terpadu.settings import Settings

PIPELINE = (
    ("ingest", "ingest_dtks"),
    ("ingest", "ingest_regsosek"),
    ("ingest", "ingest_dukcapil"),
    ("ingest", "ingest_kabkota"),
    ("integrate", "integrate"),
    ("quality gate", "quality_gate"),
    ("publish", "publish"),
)


@dataclass
class DagOutcome:
    stage: str
    dag_id: str
    state: str
    seconds: float
    tasks: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state == "success"


class PipelineFailed(RuntimeError):
    pass


def load_dags(settings: Settings) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(settings.dags_dir))
    if bag.import_errors:
        details = "\n".join(f"  {path}: {error.strip().splitlines()[-1]}" for path, error in bag.import_errors.items())
        raise PipelineFailed(f"DAG files failed to import:\n{details}")
    return bag.dags


def task_rows(dag_id: str, run_id: str) -> list[dict]:
    """State and duration of every task instance of one DAG run, in execution order."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        instances = (
            session.query(TaskInstance)
            .filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
            .order_by(TaskInstance.start_date, TaskInstance.task_id, TaskInstance.map_index)
            .all()
        )
        return [
            {
                "task": ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.rendered_map_index or ti.map_index}]",
                "state": str(ti.state.value if hasattr(ti.state, "value") else ti.state),
                "seconds": round(ti.duration or 0.0, 2),
            }
            for ti in instances
        ]


def run_dags(settings: Settings, dag_ids: list[str] | None = None,
             progress: Callable[[str], None] = print,
             after: dict[str, Callable[[], None]] | None = None) -> list[DagOutcome]:
    """Run the pipeline's DAGs in Asset order; stop at the first DAG that fails.

    `after` maps a dag_id to a step run once that DAG succeeded (e.g. a deliberate corruption
    between integrate and the gate for a demo).
    """
    airflow_env.configure(settings, quiet=True)
    airflow_env.ensure_metadata(settings)
    dags = load_dags(settings)
    outcomes: list[DagOutcome] = []
    for stage, dag_id in PIPELINE:
        if dag_ids and dag_id not in dag_ids:
            continue
        progress(f"\n=== {stage}: {dag_id} " + "=" * max(0, 60 - len(stage) - len(dag_id)))
        started = time.monotonic()
        dag_run = dags[dag_id].test()
        state = str(getattr(dag_run.state, "value", dag_run.state))
        outcome = DagOutcome(stage, dag_id, state, time.monotonic() - started, task_rows(dag_id, dag_run.run_id))
        outcomes.append(outcome)
        for row in outcome.tasks:
            progress(f"  {_mark(row['state'])} {row['task']:<40} {row['state']:<10} {row['seconds']:>7.2f}s")
        progress(f"  {dag_id}: {state} in {outcome.seconds:.1f}s")
        if not outcome.ok:
            failed = [row["task"] for row in outcome.tasks if row["state"] == "failed"]
            raise PipelineFailed(
                f"DAG {dag_id} ended {state}; failed task(s): {', '.join(failed) or 'none'} "
                "(their tracebacks are printed above)"
            )
        if after and dag_id in after:
            after[dag_id]()
    return outcomes


def _mark(state: str) -> str:
    return {"success": "✓", "skipped": "–", "failed": "✗", "upstream_failed": "✗"}.get(state, "?")


def pipeline_summary(settings: Settings, outcomes: list[DagOutcome]) -> dict:
    """What the run produced, read back from its artefacts (warehouse, gate files, release pointers)."""
    from terpadu import runs
    from terpadu.reference import pilot_regions
    from terpadu.storage import open_store
    from terpadu.warehouse import connect

    summary: dict = {"stages": {}, "code_version": settings.code_version}
    for outcome in outcomes:
        stage = summary["stages"].setdefault(outcome.stage, {"seconds": 0.0, "dags": []})
        stage["seconds"] = round(stage["seconds"] + outcome.seconds, 1)
        stage["dags"].append(outcome.dag_id)

    with connect(read_only=True, settings=settings) as con:
        summary["deliveries"] = [
            dict(zip(("source", "outcome", "deliveries", "rows_loaded", "rows_quarantined"), row, strict=True))
            for row in con.execute(
                """
                select source, outcome, count(*), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0)
                from raw.delivery_log group by all order by source, outcome
                """
            ).fetchall()
        ]
    run_id = runs.current_run_id(settings)
    summary["run_id"] = run_id
    gate_dir = runs.run_dir(run_id, settings) / "gate"
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    regions = []
    for region in pilot_regions():
        gate_file = gate_dir / f"{region.code}.json"
        gate = json.loads(gate_file.read_text()) if gate_file.exists() else None
        pointer = store.head(f"releases/{region.code}/latest.json")
        latest = json.loads(store.get_bytes(f"releases/{region.code}/latest.json")) if pointer else None
        regions.append({
            "region_code": region.code,
            "name": region.name,
            "gate": None if gate is None else ("pass" if gate["passed"] else "held"),
            "reasons": describe_reasons((gate or {}).get("errors", [])),
            "corrupted_on_purpose": bool((gate or {}).get("corrupted_on_purpose")),
            "published_run": (latest or {}).get("run_id"),
        })
    summary["regions"] = regions
    summary["portal"] = f"{store.url}/portal/index.html"
    return summary


def print_summary(summary: dict, progress: Callable[[str], None] = print) -> None:
    progress("\n=== summary " + "=" * 56)
    progress(f"run {summary['run_id']}   code {summary['code_version']}")
    progress("\nstage            wall time")
    for stage, info in summary["stages"].items():
        progress(f"  {stage:<14} {info['seconds']:>8.1f}s   ({', '.join(info['dags'])})")
    progress("\ningest            outcome      deliveries   rows loaded   rows quarantined")
    for row in summary["deliveries"]:
        progress(f"  {row['source']:<15} {row['outcome']:<12} {row['deliveries']:>10}   "
                 f"{row['rows_loaded']:>11,}   {row['rows_quarantined']:>16,}")
    regions = summary["regions"]
    published = [r for r in regions if r["published_run"] == summary["run_id"]]
    held = [r for r in regions if r["gate"] == "held"]
    progress(f"\nregions: {len(published)} published in this run, {len(held)} held back, "
             f"{len(regions)} in the pilot list")
    for region in held:
        demo = " (corrupted on purpose for this demo)" if region.get("corrupted_on_purpose") else ""
        progress(f"  HELD {region['region_code']} {region['name']}{demo}:")
        for reason in region["reasons"]:
            progress(f"       - {reason}")
        kept = region["published_run"]
        progress(f"       current release stays run {kept}" if kept else "       no earlier release to keep current")
    portal = summary["portal"]
    progress(f"\nreleases: {portal.rsplit('/portal/', 1)[0]}/releases/<region_code>/latest.json")
    progress(f"portal:   {portal}")
    if portal.startswith("file://"):
        progress(f"open it:  python -m webbrowser {portal}   (or open {Path(portal[7:])} in a browser)")

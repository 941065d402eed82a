"""One small ingest DAG per source, generated from the contract registry.

scan the inbox → land each file unchanged in the object store (mapped, parallel) → load all landed
deliveries into DuckDB (the single writer, one transaction per delivery) → emit the source's Asset.
No new file means no Asset event, so integration does not re-run for nothing.

A source fed by a web service (Dukcapil) passes `pull`: a function (region_code, settings, log) ->
dict | None that writes the region's delivery into the inbox, and `pull_regions`: () -> list of
region codes to pull, [] when no endpoint is configured (file drop mode). The DAG then runs
pull_regions → pull (mapped per region) → scan; scan runs whatever the pulls did (`all_done`), so one
region's unreachable service never blocks the files of the others or of a file drop, and
`pulls_failed` fails the run when any region's pull failed, so it does not pass unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException

from terpadu.orchestration.assets import RAW
from terpadu.orchestration.context import collect, settings
from terpadu.sources.contracts import SOURCES
from terpadu.warehouse import WRITER_POOL

# Agencies drop files at any time; a 15-minute scan keeps latency low and costs nothing when idle.
SCAN_SCHEDULE = "*/15 * * * *"


def build_ingest_dag(source_name: str, doc_md: str | None = None, *,
                     pull: Callable[..., dict | None] | None = None,
                     pull_regions: Callable[[], list[str]] | None = None):
    source = SOURCES[source_name]

    @dag(
        dag_id=f"ingest_{source_name}",
        schedule=SCAN_SCHEDULE,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        tags=["terpadu", "ingest", source_name],
        doc_md=doc_md or f"Ingest {source.agency} deliveries ({source.file_format}) from the inbox.",
        default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=1)},
    )
    def ingest():
        # all_done: after the pulls, whatever they did (skipped, failed after retries, or succeeded)
        @task(trigger_rule="all_done" if pull else "all_success")
        def scan() -> list[str]:
            from terpadu.ingest import scan_inbox

            paths = scan_inbox(source_name, settings())
            print(f"[terpadu] {source_name}: {len(paths)} file(s) waiting in the inbox")
            return paths

        @task(map_index_template="{{ delivery_file }}")
        def land(path: str) -> dict:
            from pathlib import Path

            from airflow.sdk import get_current_context

            from terpadu.ingest import land_delivery

            get_current_context()["delivery_file"] = Path(path).name
            return land_delivery(source_name, path, settings())

        @task(pool=WRITER_POOL, outlets=[RAW[source_name]])
        def load(landed: list[dict], **context) -> list[dict]:
            from terpadu.ingest import load_deliveries

            reports = load_deliveries(source_name, collect(landed), settings())
            if not any(r.get("outcome") == "accepted" for r in reports):
                raise AirflowSkipException(f"{source_name}: no new accepted delivery; nothing to integrate")
            context["outlet_events"][RAW[source_name]].extra = {
                "deliveries": [r.get("delivery_id") for r in reports if r.get("outcome") == "accepted"]
            }
            return reports

        if pull is None:
            load(land.expand(path=scan()))
            return

        @task(task_id="pull_regions")
        def regions_to_pull() -> list[str]:
            return pull_regions()

        # A pull is resumable: a task retry continues after the last checkpointed page.
        # At most 4 regions at a time: the agency's service, not our workers, is the scarce resource.
        @task(task_id="pull", map_index_template="{{ region_code }}", retries=3,
              retry_delay=pendulum.duration(minutes=2), retry_exponential_backoff=True, max_active_tis_per_dagrun=4)
        def pull_region(region_code: str) -> dict:
            from terpadu.orchestration.context import name_map_index

            name_map_index(region_code)
            report = pull(region_code, settings(), print)
            if report is None:
                raise AirflowSkipException(f"{source_name} {region_code}: nothing to pull")
            return report

        # Runs only when a region's pull failed after its retries: the other regions' files are
        # still scanned and loaded, but the DAG run ends failed so the operator sees it.
        @task(trigger_rule="one_failed")
        def pulls_failed() -> None:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(
                f"{source_name}: the pull failed for at least one region after its retries (see the failed "
                "`pull` map indexes); the other regions were loaded. Fix the service or connection and "
                "clear the failed pulls: each resumes from its last completed page."
            )

        pulled = pull_region.expand(region_code=regions_to_pull())
        paths = scan()
        pulled >> paths
        pulled >> pulls_failed()
        load(land.expand(path=paths))

    return ingest()

"""One small ingest DAG per source, generated from the contract registry.

scan the inbox → land each file unchanged in the object store (mapped, parallel) → load all landed
deliveries into DuckDB (the single writer, one transaction per delivery) → emit the source's Asset.
No new file means no Asset event, so integration does not re-run for nothing.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException

from terpadu.orchestration.assets import RAW
from terpadu.orchestration.context import collect, settings
from terpadu.sources.contracts import SOURCES
from terpadu.warehouse import WRITER_POOL

# Agencies drop files at any time; a 15-minute scan keeps latency low and costs nothing when idle.
SCAN_SCHEDULE = "*/15 * * * *"


def build_ingest_dag(source_name: str, doc_md: str | None = None):
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
        @task
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

        load(land.expand(path=scan()))

    return ingest()

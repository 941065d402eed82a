"""
### integrate
Builds the integrated registry with dbt and exports the marts for the gate and the publisher.

Airflow schedules it on any source's raw Asset: a new accepted delivery from DTKS, Regsosek,
Dukcapil or a kab/kota re-integrates. `dbt build` runs as one process (seeds, staging →
intermediate → marts, and every dbt test) through the one-slot writer pool, then the marts are
exported to Parquet under `state/runs/<run_id>/marts/` and the Asset `terpadu://warehouse/marts`
carries the run id to **quality_gate**.
"""

import pendulum
from airflow.sdk import dag, task
from terpadu.orchestration.assets import MARTS, RAW
from terpadu.orchestration.context import settings
from terpadu.warehouse import WRITER_POOL


@dag(
    schedule=(RAW["dtks"] | RAW["regsosek"] | RAW["dukcapil"] | RAW["kabkota"]),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # Integration rebuilds the whole warehouse: overlapping runs would only queue on the writer.
    max_active_runs=1,
    tags=["terpadu", "dbt"],
    doc_md=__doc__,
)
def integrate():
    @task(pool=WRITER_POOL)
    def dbt_build() -> dict:
        from terpadu.transform import build

        return build(settings())

    @task(pool=WRITER_POOL, outlets=[MARTS])
    def export_marts(build_summary: dict, **context) -> dict:
        from terpadu import runs, transform

        # The run id follows the Airflow run (stable across task retries).
        run_id = runs.new_run_id(context["dag_run"].run_after)
        exported = transform.export_marts(run_id, settings())
        context["outlet_events"][MARTS].extra = {"run_id": run_id, "airflow_run_id": context["run_id"]}
        return {"run_id": run_id, **exported}

    export_marts(dbt_build())


integrate()

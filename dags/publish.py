"""
### publish
Publishes one release per pilot region and the portal that lists them.

Airflow schedules it on `terpadu://runs/gate`. Each region is its own mapped task: a region the
gate held back is skipped with its reasons (its previous release stays current); the others upload
their readiness report, worklists, extracts and manifest to a new versioned prefix and then switch
their `latest` pointer. The pseudonymised national analyst extract (regions that passed the gate,
keyed NIK hash, no clear NIK) goes to `national/<run_id>/`. The portal is rebuilt last, whatever the
outcome of single regions.
"""

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException
from terpadu.orchestration.assets import GATE, RELEASES
from terpadu.orchestration.context import describe_reasons, name_map_index, run_id_from_events, settings


@dag(
    schedule=[GATE],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["terpadu", "publish"],
    doc_md=__doc__,
)
def publish():
    @task
    def resolve_run(**context) -> str:
        return run_id_from_events(context, GATE.uri)

    @task
    def pilot_region_codes() -> list[str]:
        from terpadu.reference import pilot_regions

        return [region.code for region in pilot_regions()]

    @task(map_index_template="{{ region_code }}")
    def publish_region(terpadu_run: str, region_code: str) -> dict:
        from terpadu import publish as publisher

        name_map_index(region_code)
        result = publisher.publish_region(terpadu_run, region_code, settings())
        if result.get("status") == "held":
            reasons = "; ".join(describe_reasons(result["reasons"]))
            raise AirflowSkipException(f"{region_code} held back by the quality gate: {reasons}")
        print(f"[terpadu] {region_code}: {result['status']} {result.get('manifest_key')}")
        return result

    @task(trigger_rule="none_failed")
    def national_extract(terpadu_run: str) -> dict:
        from terpadu.publish import publish_national

        result = publish_national(terpadu_run, settings())
        print(f"[terpadu] national analyst extract: {result['status']} {result['manifest_key']}")
        return result

    @task(trigger_rule="none_failed", outlets=[RELEASES])
    def portal(terpadu_run: str) -> str:
        from terpadu.publish import build_portal

        location = build_portal(terpadu_run, settings())
        print(f"[terpadu] portal: {location}")
        return location

    terpadu_run = resolve_run()
    released = publish_region.partial(terpadu_run=terpadu_run).expand(region_code=pilot_region_codes())
    released >> national_extract(terpadu_run) >> portal(terpadu_run)


publish()

"""
### quality_gate
Great Expectations gate between the integrated marts and the regions' releases.

Airflow schedules it on `terpadu://warehouse/marts`. Each pilot region's slice of the exported marts
is validated in its own mapped task (read-only, in parallel); a region that fails an `error` suite
is held back with its reasons, the others go on. The results are recorded in `audit.gate_results`
by the single warehouse writer, and `terpadu://runs/gate` schedules **publish**.
"""

import pendulum
from airflow.sdk import dag, task
from terpadu.orchestration.assets import GATE, MARTS
from terpadu.orchestration.context import (
    collect,
    describe_reasons,
    name_map_index,
    run_id_from_events,
    settings,
)
from terpadu.warehouse import WRITER_POOL


@dag(
    schedule=[MARTS],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["terpadu", "quality"],
    doc_md=__doc__,
)
def quality_gate():
    @task
    def resolve_run(**context) -> str:
        return run_id_from_events(context, MARTS.uri)

    @task
    def pilot_region_codes() -> list[str]:
        from terpadu.reference import pilot_regions

        return [region.code for region in pilot_regions()]

    @task(map_index_template="{{ region_code }}")
    def validate(terpadu_run: str, region_code: str) -> dict:
        from terpadu.quality.gate import DATA_DOCS_DEFAULT, validate_region

        name_map_index(region_code)
        result = validate_region(terpadu_run, region_code, settings(), data_docs=DATA_DOCS_DEFAULT)
        verdict = "PASS" if result["passed"] else "HELD (release blocked, previous release stays current)"
        print(f"[terpadu] gate {region_code} {result['region_name']}: {verdict}")
        for line in describe_reasons(result["errors"]):
            print(f"[terpadu]   error: {line}")
        for line in describe_reasons(result["warnings"]):
            print(f"[terpadu]   warning: {line}")
        for corruption in result.get("corrupted_on_purpose") or []:
            print(f"[terpadu]   NOTE: this region was corrupted on purpose for a demo ({corruption['rule']}: "
                  f"{corruption['what']})")
        if result.get("data_docs_key"):
            print(f"[terpadu]   data docs (private): {result['data_docs_key']}")
        return result

    @task(pool=WRITER_POOL, outlets=[GATE])
    def record(terpadu_run: str, results: list[dict], **context) -> dict:
        from terpadu.quality import record_results
        from terpadu.quality.gate import publish_data_docs_index

        results = collect(results)
        summary = record_results(terpadu_run, results, settings())
        summary["data_docs"] = publish_data_docs_index(terpadu_run, results, settings())
        held = sorted(r["region_code"] for r in results if not r["passed"])
        print(f"[terpadu] gate: {len(results) - len(held)} region(s) pass, {len(held)} held {held}")
        if summary["data_docs"]:
            print(f"[terpadu] gate: data docs (private) at {summary['data_docs']} in the object store")
        context["outlet_events"][GATE].extra = {
            "run_id": terpadu_run, "held": held, "data_docs": summary["data_docs"],
        }
        return summary

    terpadu_run = resolve_run()
    results = validate.partial(terpadu_run=terpadu_run).expand(region_code=pilot_region_codes())
    record(terpadu_run, results)


quality_gate()

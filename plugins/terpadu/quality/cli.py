"""`terpadu quality`: run the gate per region, and keep the committed GX suites in step with code."""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

from terpadu.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "quality", help="validate each region's marts with the GX suites (PASS / HELD)",
        description="Validate each region's slice of the marts; a region failing an error suite is HELD.",
    )
    parser.add_argument("--run", dest="run_id", help="run id (default: state/runs/CURRENT)")
    parser.add_argument("--regions", nargs="+", metavar="CODE", help="region codes (default: all pilot regions)")
    parser.add_argument(
        "--data-docs", choices=("failing", "all", "none"), default="failing",
        help="GX Data Docs, published under private/data_docs/<run_id>/ in the object store: for held or "
             "warned regions only (default), every region, or none")
    parser.add_argument("--no-record", action="store_true", help="do not write audit.gate_results")
    parser.add_argument(
        "--workers", type=int, default=min(os.cpu_count() or 1, 4),
        help="regions validated in parallel processes (default: the CPU count, at most 4; 1 = in this "
             "process). Regions are independent and read-only, as in the Airflow DAG's mapped tasks")
    parser.set_defaults(func=_run)
    actions = parser.add_subparsers(dest="quality_command", metavar="ACTION")
    write = actions.add_parser("write-suites", help="write the suites from code into expectations/gx/")
    write.add_argument("--check", action="store_true", help="only check that the committed files match the code")
    write.set_defaults(func=_write_suites)


def _write_suites(args: argparse.Namespace) -> int:
    from terpadu.quality.suites import write_suites

    outcome = write_suites(get_settings(), check=args.check)
    if args.check:
        problems = outcome["drifted"] + outcome["stale"]
        for name in outcome["drifted"]:
            print(f"drifted: {name} (expectations/gx/expectations/{name}.json differs from the code)")
        for name in outcome["stale"]:
            print(f"stale:   {name} (committed, but no longer defined in code)")
        if problems:
            print("run `terpadu quality write-suites` and commit expectations/")
            return 1
        print("suites are up to date")
        return 0
    for name in outcome["written"]:
        print(f"wrote {name}")
    for name in outcome["stale"]:
        print(f"removed {name}")
    if not outcome["written"] and not outcome["stale"]:
        print("suites are up to date")
    return 0


def _run(args: argparse.Namespace) -> int:
    from terpadu import reference
    from terpadu.quality import record_results
    from terpadu.quality.gate import publish_data_docs_index
    from terpadu.runs import current_run_id

    settings = get_settings()
    run_id = args.run_id or current_run_id(settings)
    regions = args.regions or [r.code for r in reference.pilot_regions()]
    data_docs = {"failing": "failing", "all": True, "none": False}[args.data_docs]
    results = []
    for outcome, seconds in _validate(run_id, regions, settings, data_docs, args.workers):
        results.append(outcome)
        label = "PASS" if outcome["passed"] else "HELD"
        print(f"{label} {outcome['region_code']} {outcome['region_name']} ({seconds:.2f}s)", flush=True)
        for reason in outcome["errors"]:
            print(f"    error:   {reason['id']} / {reason['en']}")
        for reason in outcome["warnings"]:
            print(f"    warning: {reason['id']} / {reason['en']}")
        for corruption in outcome.get("corrupted_on_purpose") or []:
            print(f"    NOTE: corrupted on purpose ({corruption['rule']}: {corruption['what']})")
    if not args.no_record:
        recorded = record_results(run_id, results, settings)
        print(f"recorded {recorded['rows']} rows in {recorded['table']}")
    docs = publish_data_docs_index(run_id, results, settings)
    if docs:
        print(f"data docs (private): {docs} in {settings.object_store_url}")
    held = sum(not r["passed"] for r in results)
    print(f"run {run_id}: {len(results) - held} passed, {held} held")
    return 0


def _timed_validation(run_id: str, code: str, settings, data_docs) -> tuple[dict, float]:
    from terpadu.quality import validate_region

    started = time.perf_counter()
    return validate_region(run_id, code, settings, data_docs=data_docs), time.perf_counter() - started


def _validate(run_id: str, regions: list[str], settings, data_docs, workers: int):
    """(outcome, seconds) per region, in the order given; with workers > 1, in a process pool (GX
    is CPU-bound Python: threads would share one core)."""
    if workers <= 1 or len(regions) <= 1:
        for code in regions:
            yield _timed_validation(run_id, code, settings, data_docs)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(regions))) as pool:
        futures = [pool.submit(_timed_validation, run_id, code, settings, data_docs) for code in regions]
        for future in futures:
            yield future.result()

"""`terpadu ingest`: load the inbox into the warehouse and say, per delivery, what happened.

`terpadu ingest pull-dukcapil [--regions 81.71,...] [--url U] [--token T]` pulls DKB files from the
Dukcapil web service into the inbox first (URL/token default to TERPADU_DUKCAPIL_URL/_TOKEN)."""

from __future__ import annotations

import argparse
from pathlib import Path

from terpadu.sources.contracts import SOURCES

FILE_SOURCES = [name for name, s in SOURCES.items() if s.file_format in ("csv", "parquet", "xlsx")]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest", help="land and load deliveries from the inbox",
        description="Land each file of inbox/<source>/ in the object store and load it into raw.*; "
        "exit code 1 if any delivery was rejected (the others are still processed).")
    parser.add_argument("--source", choices=[*FILE_SOURCES, "all"], default="all")
    parser.add_argument("--inbox", type=Path, default=None,
                        help="inbox root holding <source>/ folders (default: the settings' inbox); with a "
                        "single --source, a folder holding that source's files directly also works")
    parser.set_defaults(func=run)

    # optional sub-command: `terpadu ingest` alone still loads the inbox
    sub = parser.add_subparsers(dest="ingest_command", metavar="SUBCOMMAND")
    pull = sub.add_parser(
        "pull-dukcapil", help="pull DKB files from the Dukcapil web service into the inbox",
        description="Pull every page of each kab/kota from the Dukcapil web service (retries, rate limits, "
        "resume after a crash) and write inbox/dukcapil/DKB_<kab>_<period>.csv; `terpadu ingest` (or "
        "--ingest) then lands and loads it like a dropped file. Exit code 1 if any region failed.")
    pull.add_argument("--regions", help="comma-separated kab/kota codes (default: the pilot regions)")
    pull.add_argument("--url", help="base URL of the service (default: env TERPADU_DUKCAPIL_URL)")
    pull.add_argument("--token", help="bearer token (default: env TERPADU_DUKCAPIL_TOKEN)")
    pull.add_argument("--page-size", type=int, default=1000, help="rows per request (default 1000)")
    pull.add_argument("--period", help="yyyymm (default TERPADU_PERIOD)")
    pull.add_argument("--max-rps", type=float, help="client-side limit, requests per second (default none)")
    pull.add_argument("--max-attempts", type=int, default=6, help="attempts per page on 5xx/timeouts (default 6)")
    pull.add_argument("--ingest", action="store_true", help="then land and load inbox/dukcapil/ (terpadu ingest "
                      "--source dukcapil)")
    pull.set_defaults(func=run_pull)


def _inbox_for(source: str, inbox: Path | None) -> Path | None:
    if inbox is None:
        return None
    return inbox / source if (inbox / source).is_dir() else inbox


def format_result(result: dict) -> str:
    line = (f"  {result['original_file']}: {result['outcome']}, {result['rows_loaded']} loaded, "
            f"{result['rows_quarantined']} quarantined")
    if result["quarantine_by_rule"]:
        line += " (" + ", ".join(f"{rule} {n}" for rule, n in result["quarantine_by_rule"].items()) + ")"
    if result["outcome"] in ("rejected", "duplicate") and result["message"]:
        line += f"\n      {result['message']}"
    for warning in result.get("warnings", []):
        line += f"\n      warning: {warning}"
    return line


def run(args: argparse.Namespace) -> int:
    from terpadu.ingest import ingest_source
    from terpadu.settings import get_settings

    settings = get_settings()
    sources = FILE_SOURCES if args.source == "all" else [args.source]
    if args.inbox is not None and not args.inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {args.inbox} does not exist")
    results = []
    for source in sources:
        if args.source == "all" and args.inbox is not None and not (args.inbox / source).is_dir():
            continue
        for result in ingest_source(source, settings, progress=print, inbox=_inbox_for(source, args.inbox)):
            print(format_result(result))
            results.append(result)
    counts = {o: sum(r["outcome"] == o for r in results) for o in ("accepted", "rejected", "duplicate")}
    print(f"total: {len(results)} deliveries ({counts['accepted']} accepted, {counts['rejected']} rejected, "
          f"{counts['duplicate']} duplicate), {sum(r['rows_loaded'] for r in results)} rows loaded, "
          f"{sum(r['rows_quarantined'] for r in results)} quarantined")
    return 1 if counts["rejected"] else 0


def run_pull(args: argparse.Namespace) -> int:
    from terpadu import reference
    from terpadu.ingest import ingest_source
    from terpadu.ingest.dukcapil_pull import PullError, RetryPolicy, endpoint_from_env, pull_dukcapil
    from terpadu.settings import get_settings

    settings = get_settings()
    endpoint = endpoint_from_env(args.url, args.token)
    if endpoint is None:
        raise ValueError("no Dukcapil service URL: pass --url or set TERPADU_DUKCAPIL_URL")
    known = reference.regencies()
    codes = [x.strip() for x in args.regions.split(",") if x.strip()] if args.regions else \
        [r.code for r in reference.pilot_regions()]
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValueError(f"--regions: {', '.join(unknown)} not Kemendagri kab/kota codes (dotted, e.g. 81.71)")
    policy = RetryPolicy(max_attempts=args.max_attempts, max_rps=args.max_rps)
    failed = 0
    for code in codes:
        try:
            r = pull_dukcapil(code, settings, base_url=endpoint.base_url, token=endpoint.token,
                              page_size=args.page_size, period=args.period, progress=print, policy=policy)
        except PullError as error:
            failed += 1
            print(f"  {code}: FAILED: {error}")
            continue
        print(f"  {code}: {r['pages']} pages ({r['pages_fetched']} fetched, {r['pages_resumed']} resumed), "
              f"{r['rows']} rows, {r['retries']} retries, {r['rate_limited']} rate-limit waits, "
              f"{r['rows_per_s']} rows/s → {r['file']}")
        for why in r["restarts"]:
            print(f"      restarted: {why}")
    print(f"pull-dukcapil: {len(codes) - failed} of {len(codes)} kab/kota pulled")
    status = 1 if failed else 0
    if args.ingest:
        results = ingest_source("dukcapil", settings, progress=print)
        for result in results:
            print(format_result(result))
        status = status or int(any(r["outcome"] == "rejected" for r in results))
    return status

"""`terpadu ingest`: load the inbox into the warehouse and say, per delivery, what happened."""

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

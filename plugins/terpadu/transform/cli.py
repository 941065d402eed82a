"""`terpadu transform` (dbt build + export of the marts) and `terpadu docs`."""

from __future__ import annotations

import argparse
import json

from terpadu import runs
from terpadu.settings import get_settings


def _transform(args: argparse.Namespace) -> int:
    from terpadu.transform import build, export_marts

    settings = get_settings()
    summary = build(settings, select=args.select)
    run_id = args.run_id or runs.new_run_id()
    if args.select:
        print(json.dumps({"build": {k: v for k, v in summary.items() if k != "nodes"}}, indent=2))
        print("partial build (--select): marts not exported")
        return 0
    export = export_marts(run_id, settings)
    for name, table in export["tables"].items():
        print(f"  {name:<22} {table['rows']:>10} rows  {table['path']}")
    print(run_id)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from terpadu.transform import docs

    print(docs(get_settings()))
    return 0


def register(subparsers) -> None:
    transform = subparsers.add_parser(
        "transform", help="dbt build of the warehouse, then export the marts for a new run",
        description="Runs `dbt build` (models and tests) on the warehouse and exports the marts to "
                    "state/runs/<run_id>/marts/*.parquet; prints the run id.")
    transform.add_argument("--select", help="dbt selector (partial build; nothing is exported)")
    transform.add_argument("--run-id", help="run id to export under (default: a new UTC timestamp)")
    transform.set_defaults(func=_transform)
    docs = subparsers.add_parser("docs", help="dbt docs generate (lineage and column descriptions)")
    docs.set_defaults(func=_docs)

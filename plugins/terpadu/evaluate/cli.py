"""`terpadu evaluate`: linkage and flag precision/recall against the simulator's ground truth."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from terpadu.settings import get_settings


def _evaluate(args: argparse.Namespace) -> int:
    from terpadu.evaluate import EvaluationError, default_output, evaluate, format_misses, format_table

    settings = get_settings()
    try:
        report = evaluate(settings, warehouse_path=args.warehouse, truth_dir=args.ground_truth,
                          misses=args.misses)
    except EvaluationError as error:
        raise ValueError(str(error)) from error
    output = Path(args.output) if args.output else default_output(settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2))
    print(format_table(report))
    if args.misses:
        print(format_misses(report))
    print(f"report: {output}")
    return 0 if not args.check or all(report["meets_targets"].values()) else 3


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="precision/recall of linkage and flags against the simulator's ground truth",
        description="Reads the warehouse (read-only) and state/ground_truth/*.parquet and prints pairwise "
                    "linkage precision/recall and precision/recall per flag type; writes the report as JSON. "
                    "Only meaningful on data made by `terpadu simulate`; never used by the pipeline.")
    parser.add_argument("--warehouse", type=Path, help="DuckDB file (default: the settings' warehouse)")
    parser.add_argument("--ground-truth", type=Path, help="ground-truth folder (default: state/ground_truth)")
    parser.add_argument("--output", help="JSON report path (default: runs/<CURRENT>/evaluation.json)")
    parser.add_argument("--misses", type=int, default=0, metavar="N",
                        help="also list up to N false positives and negatives of each flag type that "
                             "missed its target, with the defects planted on the person (diagnosis)")
    parser.add_argument("--check", action="store_true", help="exit 3 when a target is missed")
    parser.set_defaults(func=_evaluate)

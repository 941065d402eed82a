"""`terpadu` — the command line.

Each stage package contributes its sub-commands through a `register(subparsers)` function in its
own `cli.py`, so this file only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# Stage modules that add sub-commands, in the order they appear in --help.
COMMAND_MODULES = (
    "terpadu.simulate.cli",
    "terpadu.ingest.cli",
    "terpadu.transform.cli",
    "terpadu.quality.cli",
    "terpadu.publish.cli",
    "terpadu.evaluate.cli",
    "terpadu.orchestration.cli",
    "terpadu.bench",
)


class UserError(Exception):
    """An error the user can fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="terpadu",
        description="Terpadu: integrate DTKS, Regsosek, Dukcapil and kab/kota lists into one registry "
        "and publish a release per pilot region.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # A stage not installed in this build is skipped; an import error inside one surfaces.
            if not error.name or not name.startswith(error.name):
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UserError, FileNotFoundError, ValueError) as error:
        print(f"terpadu {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

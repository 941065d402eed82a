"""`terpadu bench`: every stage at a chosen size, each in its own process, timed and measured.

Each stage runs as the same CLI command an operator would use, in a fresh state folder, so the
numbers include start-up costs a real run pays. Peak RSS is the stage process's own high-water
mark (`wait4` rusage), not the whole machine's. Results go to the terminal and to
`bench-results/bench-<persons>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from terpadu.settings import Settings, get_settings
from terpadu.sources.contracts import SOURCES


@dataclass
class StageResult:
    stage: str
    command: str
    seconds: float
    peak_rss_mb: float
    rows: int
    rows_label: str
    exit_code: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def run_stage(stage: str, args: list[str], env: dict[str, str], log_dir: Path) -> tuple[float, float, int]:
    """Run one CLI command; return (wall seconds, peak RSS MiB, exit code)."""
    log = log_dir / f"{stage}.log"
    started = time.monotonic()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("terpadu")), *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is KiB on Linux
    return seconds, usage.ru_maxrss / 1024, process.returncode


def _count(settings: Settings, sql: str) -> int:
    from terpadu.warehouse import connect

    with connect(read_only=True, settings=settings) as con:
        return int(con.execute(sql).fetchone()[0] or 0)


def _ingested(source: str) -> Callable[[Settings], int]:
    return lambda s: _count(
        s, f"select sum(rows_read) from raw.delivery_log where outcome = 'accepted' and source = '{source}'")


def stages(persons: int) -> list[tuple[str, list[str], str, Callable[[Settings], int]]]:
    """(stage, CLI arguments, what the rows are, how to count them after the stage)."""
    persons_in_marts = "select count(*) from marts.dim_persons"
    return [
        ("simulate", ["simulate", "--persons", str(persons)], "persons", lambda s: persons),
        *((f"ingest {source}", ["ingest", "--source", source], "rows read", _ingested(source))
          for source in SOURCES),
        ("integrate", ["transform"], "persons integrated", lambda s: _count(s, persons_in_marts)),
        ("quality gate", ["quality"], "persons validated", lambda s: _count(s, persons_in_marts)),
        ("publish", ["publish"], "persons released", lambda s: _count(s, persons_in_marts)),
    ]


def ingest_floor(settings: Settings, results: list[StageResult]) -> list[dict]:
    """Ingest rows/s per source next to DuckDB's bare read of the same inbox files (the floor)."""
    from terpadu.ingest.bench import floor_read

    rows = []
    for result in results:
        if not result.stage.startswith("ingest ") or result.exit_code != 0:
            continue
        source = result.stage.split(" ", 1)[1]
        reads = [floor_read(path, source) for path in sorted((settings.inbox_dir / source).glob("*"))
                 if path.is_file() and not path.name.startswith(".")]
        floor_rows = sum(r["rows"] for r in reads)
        floor_seconds = sum(r["seconds"] for r in reads)
        rows.append({
            "source": source, "rows": result.rows, "ingest_rows_per_second": round(result.rows_per_second),
            "floor_rows_per_second": round(floor_rows / floor_seconds) if floor_seconds else 0,
            "floor_method": reads[0]["method"] if reads else "",
        })
    return rows


def bench(persons: int, keep: Path | None = None, progress: Callable[[str], None] = print) -> list[StageResult]:
    base = get_settings()
    work = keep or Path(tempfile.mkdtemp(prefix=f"terpadu-bench-{persons}-"))
    env = {**os.environ, "TERPADU_STATE_DIR": str(work / "state")}
    env.pop("TERPADU_WAREHOUSE", None)
    os.environ["TERPADU_STATE_DIR"] = env["TERPADU_STATE_DIR"]
    settings = get_settings()
    log_dir = work / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    progress(f"terpadu bench: {persons:,} persons, state in {settings.state_dir}, logs in {log_dir}")
    results = []
    for stage, args, label, count in stages(persons):
        progress(f"  running {stage} ({'terpadu ' + ' '.join(args)}) ...")
        seconds, rss, code = run_stage(stage, args, env, log_dir)
        if code not in (0,):
            tail = "".join((log_dir / f"{stage}.log").read_text().splitlines(keepends=True)[-20:])
            progress(f"  {stage} exited {code}; last lines of its log:\n{tail}")
            results.append(StageResult(stage, " ".join(args), seconds, rss, 0, label, code))
            break
        results.append(StageResult(stage, " ".join(args), seconds, rss, count(settings), label, code))
    _print_table(results, progress)
    floor = ingest_floor(settings, results)
    if floor:
        progress(f"\n{'ingest':<10} {'rows':>12} {'ingest rows/s':>14} {'floor rows/s':>13} {'ratio':>6}  floor is")
        for row in floor:
            ratio = row["ingest_rows_per_second"] / row["floor_rows_per_second"] if row["floor_rows_per_second"] else 0
            progress(f"{row['source']:<10} {row['rows']:>12,} {row['ingest_rows_per_second']:>14,} "
                     f"{row['floor_rows_per_second']:>13,} {ratio:>6.0%}  {row['floor_method']}")
    pipeline = [r for r in results if r.stage != "simulate"]
    gate = next((r for r in pipeline if r.stage == "quality gate"), None)
    if gate:
        share = gate.seconds / sum(r.seconds for r in pipeline)
        progress(f"\nquality gate share of the pipeline's wall time (simulate excluded): {share:.0%}")
    out_dir = base.project_root / "bench-results"
    out_dir.mkdir(exist_ok=True)
    report = {
        "persons": persons,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "code_version": base.code_version,
        "stages": [{**asdict(r), "rows_per_second": round(r.rows_per_second, 1)} for r in results],
        "ingest_floor": floor,
    }
    path = out_dir / f"bench-{persons}.json"
    path.write_text(json.dumps(report, indent=2))
    progress(f"\nwritten to {path}")
    return results


def _print_table(results: list[StageResult], progress: Callable[[str], None]) -> None:
    total = sum(r.seconds for r in results) or 1.0
    progress(f"\n{'stage':<14} {'wall s':>8} {'share':>6} {'rows':>12} {'rows/s':>12} {'peak RSS MiB':>13}  rows are")
    for r in results:
        progress(f"{r.stage:<14} {r.seconds:>8.1f} {r.seconds / total:>6.0%} {r.rows:>12,} "
                 f"{r.rows_per_second:>12,.0f} {r.peak_rss_mb:>13,.0f}  {r.rows_label}")
    progress(f"{'total':<14} {total:>8.1f}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="time every stage at N simulated persons (wall, rows/s, peak RSS)")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="state folder to keep (default: a temp folder)")
    parser.set_defaults(func=lambda args: 0 if all(r.exit_code == 0 for r in bench(args.persons, args.keep)) else 1)

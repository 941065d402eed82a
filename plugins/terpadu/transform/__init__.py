"""Integrate the raw tables with dbt and export the marts.

`build` runs one `dbt build` of dbt_project/ in-process (dbtRunner): seeds, staging, intermediate,
marts and every data/unit test, in dependency order, in one parse. The project reads its inputs from
environment variables that this module sets from `Settings` for the duration of the call:

    TERPADU_WAREHOUSE       the DuckDB file (profiles.yml)
    TERPADU_REFERENCE_DIR   plugins/terpadu/reference/data (external sources)
    TERPADU_PILOT_REGIONS   the pilot list CSV (replaceable)
    TERPADU_NIK_HASH_KEY    key of the NIK pseudonym (Settings.nik_hash_key; never in the repo)
    TERPADU_DUCKDB_MEMORY_LIMIT  Settings.duckdb_memory_limit, else DuckDB's default (80 % of RAM):
                            the warehouse connection's and the Splink step's memory before spilling

and passes the run's dbt vars explicitly (`run_vars`, recorded in the build summary):

    period        Settings.period (TERPADU_PERIOD): which deliveries count, when ground checks apply,
                  the period the history snapshot records
    as_of_date    TERPADU_AS_OF_DATE when set, else the first day of the period: the cut-off of the
                  period's deliveries, which sanggahan ages (and the 14-day SLA) are measured to.
                  Not the wall clock, so that re-running a period gives the same answer.

dbt's target and log folders go under `state/dbt/` so the checkout stays clean. Note: the key is a
literal in the compiled SQL there (state/ is private, like state/secrets/).

`export_marts` copies each mart to `state/runs/<run_id>/marts/<mart>.parquet` — the only thing the
quality gate and the publisher read — and moves `state/runs/CURRENT` to the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb

from terpadu import runs, warehouse
from terpadu.settings import REFERENCE_DIR, Settings

# The published marts, in export order (the interface of the gate and the publisher).
MARTS = ("dim_persons", "dim_families", "fct_person_flags", "fct_region_readiness", "analyst_persons",
         "fct_clerical_review", "fct_sanggahan", "fct_usulan", "fct_ground_checks", "fct_family_changes")

_DBT_LOCK = threading.Lock()  # dbtRunner is not re-entrant within one process


class TransformError(RuntimeError):
    """dbt build (or docs) failed; `summary` holds the per-node outcome."""

    def __init__(self, message: str, summary: dict | None = None):
        super().__init__(message)
        self.summary = summary or {}


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment variables dbt_project/ reads."""
    return {
        "TERPADU_WAREHOUSE": str(settings.warehouse_path),
        "TERPADU_REFERENCE_DIR": str(REFERENCE_DIR),
        "TERPADU_PILOT_REGIONS": str(Path(settings.pilot_regions_file).resolve()),
        "TERPADU_NIK_HASH_KEY": settings.nik_hash_key,
        "TERPADU_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit or duckdb_default_memory_limit(),
        # dbt: no version check over the network, no telemetry.
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
    }


def duckdb_default_memory_limit() -> str:
    """DuckDB's own default memory limit on this machine (80 % of RAM), for profiles.yml to state."""
    con = duckdb.connect()
    try:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()


def as_of_date(settings: Settings) -> str:
    """The as-of date of a run (yyyy-mm-dd): TERPADU_AS_OF_DATE, else the first day of the period."""
    if value := os.environ.get("TERPADU_AS_OF_DATE", "").strip():
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"TERPADU_AS_OF_DATE must be a date yyyy-mm-dd, got {value!r}") from None
        return value
    period = settings.period
    if len(period) != 6 or not period.isdigit() or not 1 <= int(period[4:]) <= 12:
        raise ValueError(f"TERPADU_PERIOD must be yyyymm, got {period!r}")
    return f"{period[:4]}-{period[4:]}-01"


def run_vars(settings: Settings) -> dict[str, str]:
    """The dbt vars of a run (see the module docstring)."""
    return {"period": settings.period, "as_of_date": as_of_date(settings)}


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def _common_args(settings: Settings) -> list[str]:
    dbt_state = settings.state_dir / "dbt"
    return [
        "--vars", json.dumps(run_vars(settings)),
        "--project-dir", str(settings.dbt_project_dir),
        "--profiles-dir", str(settings.dbt_project_dir),
        "--target-path", str(dbt_state / "target"),
        "--log-path", str(dbt_state / "logs"),
        # debug-level file logging costs ~40% of a small build; warnings and errors are kept
        "--log-level-file", "warn",
    ]


def _invoke(settings: Settings, args: list[str], callbacks: list | None = None):
    from dbt.cli.main import dbtRunner  # heavy import: only when a build runs

    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    (settings.state_dir / "dbt").mkdir(parents=True, exist_ok=True)
    with _DBT_LOCK, _environment(dbt_env(settings)):
        try:
            return dbtRunner(callbacks=callbacks or []).invoke(args)
        finally:
            _release_warehouse()


def _release_warehouse() -> None:
    """dbt-duckdb keeps the DuckDB database open in a class attribute after the run, which holds the
    file's write lock for the life of the process (an Airflow worker, a test session). Close it so
    readers and the next writer can open the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def _node_line(result) -> dict:
    node = result.node
    response = result.adapter_response or {}
    rows = response.get("rows_affected") if isinstance(response, dict) else None
    return {
        "name": node.name,
        "resource_type": str(node.resource_type),
        "status": str(result.status),
        "rows": rows if rows is not None and rows >= 0 else None,
        "failures": result.failures,
        "seconds": round(result.execution_time or 0.0, 2),
        "message": result.message,
    }


def build(settings: Settings, select: str | None = None, progress: Callable[[str], None] = print,
          exclude: str | None = None) -> dict:
    """`dbt build` of the project (or `select`); returns a JSON-serialisable summary.

    Raises TransformError (with `.summary`) when any model, seed or test errors or fails.
    """
    args = ["build", *_common_args(settings), "--quiet", "--no-use-colors"]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]

    printing = threading.Lock()  # dbt threads finish nodes concurrently

    def on_event(event) -> None:
        if event.info.name != "NodeFinished":
            return
        info = event.data.node_info
        result = event.data.run_result
        seconds = getattr(result, "execution_time", 0.0) or 0.0
        with printing:
            progress(f"  {info.node_status:<7} {info.resource_type:<9} {info.node_name}  ({seconds:.2f}s)")

    started = time.monotonic()
    outcome = _invoke(settings, args, callbacks=[on_event])
    elapsed = round(time.monotonic() - started, 2)
    if outcome.exception is not None:
        raise TransformError(f"dbt build could not run: {outcome.exception}")
    nodes = [_node_line(r) for r in (outcome.result.results if outcome.result else [])]
    bad = [n for n in nodes if n["status"] in ("error", "fail", "runtime error")]
    summary = {
        "command": "build",
        "select": select,
        "vars": run_vars(settings),
        "success": bool(outcome.success) and not bad,
        "seconds": elapsed,
        "nodes_total": len(nodes),
        "nodes_ok": sum(n["status"] in ("success", "pass") for n in nodes),
        "nodes_warn": sum(n["status"] == "warn" for n in nodes),
        "nodes_skipped": sum(n["status"] == "skipped" for n in nodes),
        "nodes_failed": len(bad),
        "failures": [{"name": n["name"], "status": n["status"], "message": n["message"]} for n in bad],
        "nodes": nodes,
    }
    json.dumps(summary)  # guarantee: JSON-serialisable
    progress(f"dbt build (period {summary['vars']['period']}, as of {summary['vars']['as_of_date']}): "
             f"{summary['nodes_ok']} ok, {summary['nodes_warn']} warn, "
             f"{summary['nodes_failed']} failed, {summary['nodes_skipped']} skipped in {elapsed}s")
    if not summary["success"]:
        lines = "; ".join(f"{f['name']} ({f['status']}): {f['message']}" for f in summary["failures"])
        raise TransformError(f"dbt build failed: {lines or 'see ' + str(settings.state_dir / 'dbt/logs')}",
                             summary)
    return summary


def export_marts(run_id: str, settings: Settings) -> dict:
    """Write every mart and raw.delivery_log to Parquet under runs/<run_id>/marts/; set CURRENT."""
    out_dir = runs.run_dir(run_id, settings) / "marts"
    out_dir.mkdir(parents=True, exist_ok=True)
    exported: dict[str, dict] = {}
    with contextlib.closing(warehouse.connect(read_only=True, settings=settings)) as con:
        tables = [(name, f"{warehouse.MARTS}.{name}") for name in MARTS]
        tables.append(("deliveries", f"{warehouse.RAW}.delivery_log"))
        for name, relation in tables:
            path = out_dir / f"{name}.parquet"
            tmp = path.with_suffix(".parquet.tmp")
            escaped = str(tmp).replace("'", "''")
            con.execute(f"copy (select * from {relation}) to '{escaped}' (format parquet)")
            os.replace(tmp, path)
            rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
            exported[name] = {"path": str(path), "rows": int(rows)}
    runs.set_current(run_id, settings)
    return {"run_id": run_id, "dir": str(out_dir), "tables": exported}


def docs(settings: Settings) -> str:
    """`dbt docs generate` (lineage, column descriptions); returns the folder with index.html."""
    outcome = _invoke(settings, ["docs", "generate", *_common_args(settings), "--quiet", "--no-use-colors"])
    if not outcome.success:
        raise TransformError(f"dbt docs generate failed: {outcome.exception or 'see the dbt log'}")
    return str(settings.state_dir / "dbt" / "target")

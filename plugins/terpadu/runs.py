"""Run ids and per-run folders.

A run is one integration of the warehouse and everything derived from it (exports, gate results,
releases). The integrate DAG creates the run id; the gate and publish DAGs find it in the triggering
Asset event, or fall back to `state/runs/CURRENT`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from terpadu.settings import Settings

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def new_run_id(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def sanitize_run_id(raw: str) -> str:
    """Airflow run ids (`manual__2026-10-01T00:00:00+00:00`) → a name safe for folders and keys."""
    return _SAFE.sub("_", raw).strip("_")


def run_dir(run_id: str, settings: Settings) -> Path:
    return settings.state_dir / "runs" / run_id


def set_current(run_id: str, settings: Settings) -> None:
    pointer = settings.state_dir / "runs" / "CURRENT"
    pointer.parent.mkdir(parents=True, exist_ok=True)
    tmp = pointer.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(run_id)
    os.replace(tmp, pointer)


def current_run_id(settings: Settings) -> str:
    pointer = settings.state_dir / "runs" / "CURRENT"
    if not pointer.exists():
        raise FileNotFoundError(
            f"no integrated run yet ({pointer} is missing): run `terpadu run` or the integrate DAG first"
        )
    return pointer.read_text().strip()

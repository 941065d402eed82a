"""The DuckDB warehouse file: one writer at a time, everyone else read-only.

DuckDB allows a single writing process per file. The DAGs route every writing task through the
one-slot Airflow pool `WRITER_POOL`; readers (the quality gate, the publisher) use
`connect(read_only=True)` or the Parquet exports.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from terpadu.settings import Settings, get_settings

WRITER_POOL = "terpadu_warehouse_writer"

# Schemas, one per layer. `raw` is written by ingest; the others by dbt.
RAW = "raw"
STAGING = "staging"
INTERMEDIATE = "intermediate"
MARTS = "marts"
AUDIT = "audit"  # gate results, publish log


def connect(read_only: bool = False, settings: Settings | None = None,
            path: Path | None = None) -> duckdb.DuckDBPyConnection:
    settings = settings or get_settings()
    path = path or settings.warehouse_path
    if read_only and not path.exists():
        raise FileNotFoundError(
            f"warehouse {path} does not exist yet: run `terpadu ingest` (or `terpadu run`) first"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)

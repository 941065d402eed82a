"""The floor for `terpadu bench`: DuckDB's bare read of a delivery, no checks, no lineage, no log.

`floor_read(path, source)` reads the same file the way ingest's reader does (CSV: all text, the
contract's delimiter; Parquet: `read_parquet`) into a temp table of an in-memory DuckDB and times
it, so the benchmark can print ingest rows/s next to what the engine alone manages on this machine.
Excel has no DuckDB reader without an extension: its floor is python-calamine parsing every sheet.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from terpadu.sources.contracts import SOURCES


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def floor_read(path: str | Path, source: str) -> dict:
    """{'source', 'path', 'method', 'rows', 'seconds', 'rows_per_second'} for one bare read of `path`."""
    contract = SOURCES[source]
    path = Path(path)
    if contract.file_format == "xlsx":
        from python_calamine import CalamineWorkbook

        started = time.perf_counter()
        workbook = CalamineWorkbook.from_path(str(path))
        rows = sum(max(len(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)) - 1, 0)
                   for name in workbook.sheet_names)
        seconds = time.perf_counter() - started
        method = "python-calamine to_python (every sheet)"
    else:
        conn = duckdb.connect()
        try:
            conn.execute("SET enable_progress_bar = false")
            started = time.perf_counter()
            if contract.file_format == "csv":
                method = _read_csv_floor(conn, path, contract.delimiter or ",")
            elif contract.file_format == "parquet":
                method = "read_parquet"
                conn.execute(f"CREATE TEMP TABLE floor_read AS SELECT * FROM read_parquet({_q(str(path))})")
            else:
                raise ValueError(f"{source} deliveries are not files ({contract.file_format})")
            seconds = time.perf_counter() - started
            rows = conn.execute("SELECT count(*) FROM floor_read").fetchone()[0]
        finally:
            conn.close()
    return {"source": source, "path": str(path), "method": method, "rows": int(rows), "seconds": seconds,
            "rows_per_second": rows / seconds if seconds else 0.0}


def _read_csv_floor(conn: duckdb.DuckDBPyConnection, path: Path, delimiter: str) -> str:
    """Bare read_csv; a Windows-1252 delivery is read with DuckDB's built-in latin-1 decoder (the
    closest it has without an extension), as a failed UTF-8 attempt would be on a real run."""
    for encoding in ("utf-8", "latin-1"):
        scan = (f"read_csv({_q(str(path))}, delim={_q(delimiter)}, header=true, all_varchar=true, "
                f"quote='\"', escape='\"', encoding='{encoding}')")
        try:
            conn.execute(f"CREATE TEMP TABLE floor_read AS SELECT * FROM {scan}")
            return f"read_csv all_varchar ({encoding})"
        except duckdb.InvalidInputException:
            if encoding != "utf-8":
                raise
    raise AssertionError("unreachable")

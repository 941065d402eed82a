"""Gate results into the warehouse (`audit.gate_results`): one row per region, suite and expectation.

The only writer in the quality stage: the DAG routes it through the warehouse writer pool.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from terpadu import warehouse
from terpadu.settings import Settings

TABLE = f"{warehouse.AUDIT}.gate_results"

DDL = f"""
create schema if not exists {warehouse.AUDIT};
create table if not exists {TABLE} (
    run_id varchar not null,
    region_code varchar not null,
    suite varchar not null,
    expectation varchar not null,
    rule varchar not null,
    severity varchar not null,
    success boolean,            -- null: not evaluated (a parameter was not available)
    observed_value varchar,     -- JSON
    unexpected_count bigint,
    checked_at timestamptz not null
);
"""

COLUMNS = ["run_id", "region_code", "suite", "expectation", "rule", "severity", "success",
           "observed_value", "unexpected_count", "checked_at"]


def rows_from(results: list[dict]) -> list[tuple]:
    rows = []
    for outcome in results:
        checked_at = datetime.fromisoformat(outcome["checked_at"])
        for suite in outcome["suites"]:
            for entry in suite["expectations"]:
                rows.append((
                    outcome["run_id"], outcome["region_code"], suite["suite"], entry["expectation"],
                    entry["rule"], entry["severity"], entry["success"],
                    None if entry["observed_value"] is None else json.dumps(entry["observed_value"]),
                    entry["unexpected_count"], checked_at,
                ))
    return rows


def record_results(run_id: str, results: list[dict], settings: Settings) -> dict:
    """Replace the rows of (run_id, region) for every region in `results`: re-running is idempotent."""
    foreign = {r["run_id"] for r in results} - {run_id}
    if foreign:
        raise ValueError(f"results of other runs {sorted(foreign)} passed to record_results for run {run_id}")
    rows = rows_from(results)
    regions = sorted({r["region_code"] for r in results})
    con = warehouse.connect(settings=settings)
    try:
        con.execute(DDL)
        con.execute("begin transaction")
        try:
            if regions:
                con.execute(
                    f"delete from {TABLE} where run_id = ? and list_contains(?, region_code)", [run_id, regions]
                )
            if rows:
                # One columnar insert: executemany is row-at-a-time in DuckDB.
                frame = pd.DataFrame(rows, columns=COLUMNS).astype({"success": "boolean", "unexpected_count": "Int64"})
                con.register("gate_rows", frame)
                con.execute(f"insert into {TABLE} select * from gate_rows")
                con.unregister("gate_rows")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.close()
    return {"run_id": run_id, "regions": len(regions), "rows": len(rows), "table": TABLE}

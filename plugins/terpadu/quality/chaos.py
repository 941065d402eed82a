"""A region made bad on purpose: proof that the gate holds a broken region while the others publish.

`corrupt_region(run_id, region_code, settings, rule=...)` rewrites that region's rows in the run's
exported marts (`state/runs/<run_id>/marts/*.parquet`) so that exactly one `error` expectation of the
gate breaks, and records it in `state/runs/<run_id>/CORRUPTED.json`, which the gate copies into the
region's result (`corrupted_on_purpose`) so nobody mistakes the hold for a real data problem.

Only for demos and tests, between integrate (export) and the gate: it never touches the warehouse,
the landing zone or a release. Every rewrite is atomic (temp file + os.replace), other regions'
rows are copied unchanged.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from terpadu.quality.gate import mart_path
from terpadu.runs import run_dir
from terpadu.settings import Settings

log = logging.getLogger(__name__)

ROWS = 3  # rows broken per corruption: a few, so the reason reads like a real defect ("3 ...")
MARKER = "CORRUPTED.json"


@dataclass(frozen=True)
class Corruption:
    rule: str  # the gate rule (suites meta.rule) that must break, and only it
    mart: str
    what: str  # shown in logs and the marker
    # (mart parquet path as SQL literal, region code) -> `select` producing the whole mart again
    rewrite: Callable[[duckdb.DuckDBPyConnection, str, str, dict[str, str]], str]


def _pick(region_literal: str, order_by: str, where: str = "true") -> str:
    """The first ROWS rows of the region (deterministic), as a row-number predicate source."""
    return (f"region_code = {region_literal} and {where} "
            f"qualify row_number() over (partition by region_code order by {order_by}) <= {ROWS}")


def _desil_out_of_range(con, path: str, region: str, paths: dict[str, str]) -> str:
    # desil 11 in dim_persons only: analyst_persons keeps its own desil, so only one rule breaks.
    return f"""
        with picked as (select person_id from read_parquet({path}) where {_pick(region, 'person_id')})
        select * replace (case when person_id in (select person_id from picked) then 11 else desil end
                          ::{_type(con, path, 'desil')} as desil)
        from read_parquet({path})"""


def _family_missing(con, path: str, region: str, paths: dict[str, str]) -> str:
    # Persons pointing to a family that dim_families does not have (a Regsosek KK lost in integration).
    return f"""
        with picked as (select person_id from read_parquet({path})
                        where {_pick(region, 'person_id', 'family_id is not null')})
        select * replace (case when person_id in (select person_id from picked)
                               then 'HILANG-' || family_id else family_id end as family_id)
        from read_parquet({path})"""


def _clear_nik_in_analyst(con, path: str, region: str, paths: dict[str, str]) -> str:
    # The analyst mart's keyed hash replaced by the person's clear NIK (a masking step skipped).
    persons = paths["dim_persons"]
    return f"""
        with clear as (
            select nik_hash, nik from read_parquet({persons})
            where region_code = {region} and nik_hash is not null and regexp_full_match(nik, '\\d{{16}}')
        ),
        picked as (
            select a.nik_hash, c.nik from read_parquet({path}) a join clear c using (nik_hash)
            where {_pick(region, 'a.nik_hash')}
        )
        select * replace (coalesce((select nik from picked p where p.nik_hash = m.nik_hash), m.nik_hash)
                          as nik_hash)
        from read_parquet({path}) m"""


def _type(con, path: str, column: str) -> str:
    for name, kind, *_ in con.execute(f"describe select * from read_parquet({path})").fetchall():
        if name == column:
            return kind
    raise KeyError(f"{column} is not a column of {path}")


CORRUPTIONS: dict[str, Corruption] = {c.rule: c for c in (
    Corruption("analyst_persons.no_clear_nik", "analyst_persons",
               f"{ROWS} clear NIKs written into analyst_persons in place of the keyed hash",
               _clear_nik_in_analyst),
    Corruption("dim_persons.desil_1_to_10", "dim_persons", f"{ROWS} persons given desil 11",
               _desil_out_of_range),
    Corruption("dim_persons.family_exists", "dim_persons",
               f"{ROWS} persons pointed at families that are not in dim_families", _family_missing),
)}
DEFAULT_RULE = "analyst_persons.no_clear_nik"  # the breach the gate exists for: a clear NIK going national


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def corrupt_region(run_id: str, region_code: str, settings: Settings, rule: str = DEFAULT_RULE) -> dict:
    """Break exactly `rule` (an `error` rule of the gate) in `region_code`'s rows of the run's marts.

    Returns what was done ({run_id, region_code, rule, mart, rows, what, marker, corrupted_at}).
    Raises ValueError for an unknown rule or a region without rows to break.
    """
    if rule not in CORRUPTIONS:
        raise ValueError(f"cannot corrupt rule {rule!r}; supported: {', '.join(sorted(CORRUPTIONS))}")
    corruption = CORRUPTIONS[rule]
    paths = {mart: mart_path(run_id, mart, settings) for mart in ("dim_persons", corruption.mart)}
    for path in paths.values():
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: export the marts of run {run_id} first")
    target = paths[corruption.mart]
    literals = {mart: _sql_literal(str(path)) for mart, path in paths.items()}
    region = _sql_literal(region_code)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.corrupt.tmp")
    con = duckdb.connect()
    try:
        select = corruption.rewrite(con, literals[corruption.mart], region, literals)
        before = con.execute(f"select count(*) from read_parquet({literals[corruption.mart]})").fetchone()[0]
        con.execute(f"copy ({select}) to {_sql_literal(str(tmp))} (format parquet)")
        after = con.execute(f"select count(*) from read_parquet({_sql_literal(str(tmp))})").fetchone()[0]
        changed = con.execute(
            f"select count(*) from (select * from read_parquet({_sql_literal(str(tmp))}) "
            f"except all select * from read_parquet({literals[corruption.mart]}))").fetchone()[0]
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    if after != before or changed == 0:
        tmp.unlink(missing_ok=True)
        raise ValueError(f"region {region_code} of run {run_id} has no rows in {corruption.mart} to break "
                         f"{rule} (changed {changed}, rows {before} -> {after})")
    os.replace(tmp, target)  # atomic: the gate reads either the old or the corrupted mart, never half

    record = {
        "run_id": run_id, "region_code": region_code, "rule": rule, "mart": corruption.mart,
        "rows": int(changed), "what": corruption.what.replace(str(ROWS), str(changed), 1),
        "corrupted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": "corrupted on purpose (terpadu.quality.chaos) to show the quality gate holding a region; "
                "the other regions are untouched",
    }
    marker = run_dir(run_id, settings) / MARKER
    existing = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {"corruptions": []}
    existing["corruptions"] = [c for c in existing["corruptions"]
                               if (c["region_code"], c["rule"]) != (region_code, rule)] + [record]
    marker_tmp = marker.with_name(f".{MARKER}.{os.getpid()}.tmp")
    marker_tmp.write_text(json.dumps(existing, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(marker_tmp, marker)
    log.warning("!!! CORRUPTED ON PURPOSE: run %s region %s: %s (breaks %s) - recorded in %s",
                run_id, region_code, record["what"], rule, marker)
    return {**record, "marker": str(marker)}


def corruptions(run_id: str, settings: Settings) -> list[dict]:
    """What `corrupt_region` did to this run (empty for an honest run)."""
    marker = run_dir(run_id, settings) / MARKER
    if not marker.exists():
        return []
    return json.loads(marker.read_text(encoding="utf-8")).get("corruptions", [])

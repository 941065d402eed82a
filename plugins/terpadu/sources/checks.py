"""Row checks of the delivery contracts, as one DuckDB SQL expression per entity.

Quarantine vs flag (the rule of thumb: quarantine what the sender must fix before the row can be
used at all; flag, in dbt staging, what is a fact about the person that integration must weigh):

- quarantined: a required value missing (`required_missing`), a value outside an enum/flag
  (`bad_enum`), a digit code of the wrong width (`bad_digits`), a malformed date/timestamp/period/
  number (`bad_date`, `bad_timestamp`, `bad_period`, `bad_int`, `bad_float`), a KK number that is not
  16 digits in a *required* KK column (`bad_kk`), an unusable NIK (missing, Excel-damaged, not 16
  digits) in a *required* NIK column (`nik_unusable`), PERIODE ≠ the delivery period
  (`period_mismatch`), a KODE_DESA outside the delivery's kab/kota (`desa_outside_region`) or not in
  the Kemendagri list (`unknown_desa`), Dukcapil NO_PROP+NO_KAB ≠ the delivery's kab/kota
  (`region_mismatch`), a value over 1000 characters (`too_long`), rows the CSV parser could not
  split (`malformed_row`, `line_too_long`), and in Parquet a value that does not convert to the raw
  table's declared type without loss (`bad_type`).
- loaded and flagged later: anything in an *optional* NIK/KK column (blank, Excel-damaged, wrong
  length, unknown kecamatan, impossible birth date — the DTKS reality BPK reported), and in required
  NIK columns a structurally sound 16-digit NIK whose kecamatan or birth date part does not check
  (`invalid_region`/`invalid_date`: the reference list lags splits, and Dukcapil is the authority).
"""

from __future__ import annotations

import re

from terpadu.sources import nik
from terpadu.sources.contracts import Column, Entity, Kind

MAX_TEXT = 1000
DESA_TABLE = "_ref_desa"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _human_format(fmt: str) -> str:
    return fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")


def column_checks(column: Column, is_text: bool, region_digits: str, period: str) -> list[tuple[str, str, str]]:
    """(condition on the value `v`, rule, message) for one column; `v` is the trimmed text, NULL
    when blank, and `known_desa` (KODE_DESA only) whether `v` is in the desa reference list. Value
    checks apply only to present values."""
    name = column.name
    out: list[tuple[str, str, str]] = []
    if column.required:
        out.append(("v IS NULL", "required_missing", f"{name} is required but empty"))
    present = "v IS NOT NULL AND "
    # strlen (bytes, O(1)) ≥ length (characters): the cheap test spares counting UTF-8 characters.
    out.append((present + f"strlen(v) > {MAX_TEXT} AND length(v) > {MAX_TEXT}", "too_long",
                f"{name} is longer than {MAX_TEXT} characters"))
    kind = column.kind
    if kind in (Kind.ENUM, Kind.FLAG):
        allowed = column.allowed or (("Y", "N") if is_text else ("0", "1", "true", "false"))
        out.append((present + f"v NOT IN ({', '.join(map(_q, allowed))})", "bad_enum",
                    f"{name} must be one of {', '.join(allowed)}"))
    elif kind == Kind.DIGITS:
        out.append((present + f"NOT regexp_full_match(v, '[0-9]{{{column.width}}}')", "bad_digits",
                    f"{name} must be exactly {column.width} digits"))
    elif kind == Kind.KK and column.required:
        out.append((present + "NOT regexp_full_match(v, '[0-9]{16}')", "bad_kk", f"{name} must be 16 digits"))
    elif kind == Kind.NIK and column.required:
        status = nik.nik_status_sql("v")
        out.append((present + f"{status} IN ('{nik.EXCEL_MANGLED}', '{nik.NOT_16_DIGITS}')", "nik_unusable",
                    f"{name} is not a usable NIK (Excel-damaged or not 16 digits): format the column as "
                    "Text and re-enter it"))
    elif kind == Kind.DATE:
        if column.date_format:
            test = f"try_strptime(v, {_q(column.date_format)}) IS NULL"
            fmt = _human_format(column.date_format)
        else:
            test = "try_cast(v AS DATE) IS NULL"
            fmt = "a date"
        out.append((present + test, "bad_date", f"{name} must be a calendar date {fmt}"))
    elif kind == Kind.TIMESTAMP:
        out.append((present + "try_cast(v AS TIMESTAMP) IS NULL AND try_cast(v AS TIMESTAMPTZ) IS NULL",
                    "bad_timestamp", f"{name} must be an ISO 8601 date-time"))
    elif kind == Kind.PERIOD:
        out.append((present + "NOT regexp_full_match(v, '(19|20)[0-9]{2}(0[1-9]|1[0-2])')", "bad_period",
                    f"{name} must be a yyyymm month"))
        out.append((present + f"regexp_full_match(v, '[0-9]{{6}}') AND v <> {_q(period)}", "period_mismatch",
                    f"{name} differs from the delivery period {period} in the file name"))
    elif kind == Kind.INT:
        out.append((present + "NOT regexp_full_match(v, '[0-9]+')", "bad_int", f"{name} must be a whole number ≥ 0"))
    elif kind == Kind.FLOAT:
        out.append((present + "try_cast(v AS DOUBLE) IS NULL", "bad_float", f"{name} must be a number"))
    if name == "KODE_DESA":
        out.append((present + f"regexp_full_match(v, '[0-9]{{10}}') AND NOT starts_with(v, {_q(region_digits)})",
                    "desa_outside_region", f"KODE_DESA is not in kab/kota {region_digits} named in the file name"))
        out.append((present + f"regexp_full_match(v, '[0-9]{{10}}') AND starts_with(v, {_q(region_digits)}) "
                    "AND NOT known_desa", "unknown_desa",
                    "KODE_DESA is not a Kemendagri desa/kelurahan code"))
    return out


def _typed(column: Column, delivered: dict[str, str] | None, declared: dict[str, str] | None
           ) -> tuple[str, str] | None:
    """(delivered type, declared type) when a typed (Parquet) column must be converted."""
    src = (delivered or {}).get(column.raw_name)
    dst = (declared or {}).get(column.raw_name)
    return (src, dst) if src and dst and src != dst else None


def _lossy_sql(col: str, src: str, dst: str) -> str:
    """TRUE when a present value does not convert to `dst` without loss."""
    typed = f"TRY_CAST({col} AS {dst})"
    if dst == "DOUBLE":
        return f"{typed} IS NULL"  # floats are approximate: only an unparseable value is wrong
    if src == "VARCHAR":
        # Text that parses but changes on the way ('36.5' → 37, '1985-08-17 10:00' → a date).
        return f"({typed} IS NULL OR CAST({typed} AS VARCHAR) <> trim({col}))"
    return f"({typed} IS NULL OR CAST({typed} AS {src}) IS DISTINCT FROM {col})"


def prepared_sql(entity: Entity, table: str, delivered: dict[str, str] | None = None,
                 declared: dict[str, str] | None = None) -> str:
    """`table` plus, once per row, what the checks test: `_v<i>` the trimmed text of column i
    (NULL when blank), for converted Parquet columns `_t<i>` (its text after conversion, NULL
    when it does not convert) and `_x<i>` (it does not convert), and `_known_desa` from a join
    with the desa reference. `errors_sql` / `any_error_sql` are evaluated over this."""
    parts = ["s.*"]
    joins = ""
    for i, column in enumerate(entity.columns):
        col = f's."{column.raw_name}"'
        parts.append(f"nullif(trim(CAST({col} AS VARCHAR)), '') AS _v{i}")
        if typed := _typed(column, delivered, declared):
            lossy = _lossy_sql(col, *typed)
            parts.append(f"{lossy} AS _x{i}")
            converted = f"CAST(TRY_CAST({col} AS {typed[1]}) AS VARCHAR)"
            parts.append(f"CASE WHEN {lossy} THEN NULL ELSE nullif(trim({converted}), '') END AS _t{i}")
        if column.name == "KODE_DESA":
            # A hash join, not `IN (subquery)` per row: the reference list is ~84k codes.
            joins = (f" LEFT JOIN {DESA_TABLE} d ON d.code = nullif(trim(CAST({col} AS VARCHAR)), '')")
            parts.append("d.code IS NOT NULL AS _known_desa")
    return f"SELECT {', '.join(parts)} FROM {table} s{joins}"


def _column_items(entity: Entity, is_text: bool, region_digits: str, period: str,
                  delivered: dict[str, str] | None, declared: dict[str, str] | None
                  ) -> list[tuple[str, str, str, str, str]]:
    """(condition, column name, raw value SQL, rule, message) for every check of the entity, in
    terms of the columns of `prepared_sql`.

    For typed deliveries (Parquet) `delivered` / `declared` map raw column names to the file's and
    the raw table's DuckDB types: a value that does not convert to the declared type without loss is
    `bad_type`, and the value checks then see the converted value (NULL when it did not convert, so
    one bad value gives one quarantine line, not a cascade)."""
    items = []
    for i, column in enumerate(entity.columns):
        raw = f'left(CAST("{column.raw_name}" AS VARCHAR), 1000)'
        value = f"_v{i}"
        if typed := _typed(column, delivered, declared):
            items.append((f"_v{i} IS NOT NULL AND _x{i}", column.name, raw, "bad_type",
                          f"{column.name} must be {typed[1]} (delivered as {typed[0]}) and does not convert "
                          "without loss"))
            value = f"_t{i}"
        for condition, rule, message in column_checks(column, is_text, region_digits, period):
            # A required value is missing only if nothing was delivered (not if it failed to convert).
            v = f"_v{i}" if rule == "required_missing" else value
            items.append((_substitute_v(condition, v), column.name, raw, rule, message))
    names = {c.name for c in entity.columns}
    if {"NO_PROP", "NO_KAB"} <= names:
        items.append((f"regexp_full_match(trim(no_prop) || trim(no_kab), '[0-9]{{4}}') AND "
                      f"trim(no_prop) || trim(no_kab) <> {_q(region_digits)}", "NO_KAB", "no_prop || '.' || no_kab",
                      "region_mismatch", f"NO_PROP.NO_KAB is not the kab/kota {region_digits} named in the file name"))
    return items


def errors_sql(entity: Entity, is_text: bool, region_digits: str, period: str,
               delivered: dict[str, str] | None = None, declared: dict[str, str] | None = None) -> str:
    """A list of STRUCT(column_name, raw_value, rule, message) per row of `prepared_sql`, empty when
    the row is clean. Costly (a struct per check): evaluate it only where `any_error_sql` is true."""
    items = [f"CASE WHEN {cond} THEN {{'column_name': {_q(name)}, 'raw_value': {raw}, 'rule': {_q(rule)}, "
             f"'message': {_q(message)}}} END"
             for cond, name, raw, rule, message in _column_items(entity, is_text, region_digits, period,
                                                                 delivered, declared)]
    return f"list_filter([{', '.join(items)}], x -> x IS NOT NULL)"


def any_error_sql(entity: Entity, is_text: bool, region_digits: str, period: str,
                  delivered: dict[str, str] | None = None, declared: dict[str, str] | None = None) -> str:
    """TRUE when `errors_sql` would be non-empty: the same conditions, OR-ed, so the bulk pass over
    clean rows computes one boolean instead of a list of structs."""
    conditions = [f"({cond})" for cond, *_ in _column_items(entity, is_text, region_digits, period, delivered,
                                                            declared)]
    return f"coalesce({' OR '.join(conditions) or 'false'}, false)"


def _substitute_v(condition: str, value_sql: str) -> str:
    """Replace the stand-alone identifiers `v` (value) and `known_desa` in a condition."""
    condition = re.sub(r"\bknown_desa\b", "_known_desa", condition)
    return re.sub(r"\bv\b", lambda _: value_sql, condition)


def ensure_reference_tables(conn) -> None:
    """Temp table of 10-digit desa codes for the KODE_DESA check (once per connection)."""
    from terpadu.settings import REFERENCE_DIR

    path = str(REFERENCE_DIR / "villages.csv").replace("'", "''")
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {DESA_TABLE} AS SELECT DISTINCT replace(kode, '.', '') AS code "
                 f"FROM read_csv('{path}', all_varchar = true, header = true)")

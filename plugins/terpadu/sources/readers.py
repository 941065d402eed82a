"""Readers: turn one delivered file into DuckDB temp tables shaped by the contract.

A reader either raises `DeliveryRejected` (the whole file is unusable: the message says what is
wrong and what the sender should do) or stages, per entity, a temp table or view `_in_<entity>`
holding the contract columns (lower-case names; VARCHAR for CSV/Excel, the file's own types for
Parquet) plus `_row_number` (1 = first data row after the header), and `_bad_<entity>` for rows the
parser itself could not split into the contract's columns. `raw_column_types` gives the declared
types of the raw tables, which ingest creates up front and casts Parquet deliveries into.
Value checks happen afterwards in SQL (`terpadu.sources.checks`), so a 5 M row CSV never passes
through Python row by row.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from terpadu.reference import regencies
from terpadu.sources.contracts import Entity, Kind, Source

CHUNK = 1 << 22
MAX_LINE_BYTES = 2_000_000  # DuckDB's default; longer rows are quarantined as malformed
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OTHER_DELIMITERS = (",", ";", "\t", "|")


class DeliveryRejected(Exception):
    """The whole file is rejected; nothing of it is loaded."""

    def __init__(self, problem: str, action: str):
        super().__init__(f"{problem}. {action}")
        self.problem = problem
        self.action = action


@dataclass(frozen=True)
class DeliveryName:
    source: str
    region_code: str  # dotted Kemendagri code, '35.10'
    region_digits: str  # '3510'
    period: str  # yyyymm
    entities: tuple[str, ...]


def parse_file_name(source: Source, name: str) -> DeliveryName:
    """Region and period from a delivery's file name, per the contract's `file_pattern`."""
    patterns: dict[str, list[str]] = {}
    for entity in source.entities:
        patterns.setdefault(entity.file_pattern, []).append(entity.name)
    for pattern, entities in patterns.items():
        regex = re.escape(pattern).replace(r"\{region\}", r"(?P<region>\d{4})").replace(
            r"\{period\}", r"(?P<period>\d{6})")
        match = re.fullmatch(regex, name, flags=re.IGNORECASE)
        if not match:
            continue
        digits, period = match["region"], match["period"]
        code = f"{digits[:2]}.{digits[2:]}"
        if code not in regencies():
            raise DeliveryRejected(
                f"file name {name!r}: region {digits} is not a Kemendagri kabupaten/kota code",
                "Rename the file with the 4-digit kab/kota code (e.g. 3510 for Kabupaten Banyuwangi)")
        if not 1 <= int(period[4:]) <= 12:
            raise DeliveryRejected(f"file name {name!r}: period {period} is not a yyyymm month",
                                   "Rename the file with the delivery period as yyyymm (e.g. 202610)")
        return DeliveryName(source.name, code, digits, period, tuple(entities))
    expected = " or ".join(sorted(patterns))
    raise DeliveryRejected(
        f"file name {name!r} does not match the {source.name} contract ({expected})",
        "Rename the file as the contract says ({region} = 4-digit kab/kota code, {period} = yyyymm) "
        "and deliver it again")


@dataclass
class StagedEntity:
    entity: Entity
    table: str  # temp table or view with the contract columns + _row_number
    bad_table: str  # temp table: _row_number, column_name, raw_value, rule, message
    rows_read: int
    last_row_number: int
    ends_cleanly: bool = True  # False: a CSV without a final newline (a possible truncation)
    warnings: list[str] = field(default_factory=list)
    column_types: dict[str, str] | None = None  # raw name → DuckDB type as delivered (Parquet only)
    cleanup: tuple[str, ...] = ()  # DROP statements for everything staged, in a safe order


def drop_staged(conn: duckdb.DuckDBPyConnection, staged: StagedEntity) -> None:
    for statement in staged.cleanup:
        conn.execute(statement)


# Declared DuckDB types of the raw tables. CSV and Excel keep the text as delivered; Parquet columns
# get the types the Regsosek contract's writer uses (terpadu.simulate.engine._regsosek_schemas):
# codes stay text (a leading zero or a letter would be meaningful), flags are TINYINT 0/1, counts
# INTEGER, dates DATE.
_PARQUET_TYPES = {Kind.FLAG: "TINYINT", Kind.INT: "INTEGER", Kind.DATE: "DATE", Kind.FLOAT: "DOUBLE",
                  Kind.TIMESTAMP: "TIMESTAMP"}


def raw_column_types(source: Source, entity: Entity) -> dict[str, str]:
    """Raw column name → declared DuckDB type (contract columns only, without lineage)."""
    if source.file_format == "parquet":
        return {c.raw_name: _PARQUET_TYPES.get(c.kind, "VARCHAR") for c in entity.columns}
    return {c.raw_name: "VARCHAR" for c in entity.columns}


# --- header matching -------------------------------------------------------------------------------

def match_header(entity: Entity, found: list[str], where: str) -> tuple[dict[str, int], list[str]]:
    """Contract column → position in the file (case-insensitive). Rejects when a required column is
    missing or a name repeats; returns warnings for extra columns and missing optional ones."""
    clean = [str(h or "").strip().lstrip("\ufeff").strip() for h in found]
    positions: dict[str, int] = {}
    for index, name in enumerate(clean):
        key = name.upper()
        if key in positions:
            raise DeliveryRejected(f"{where}: column {name!r} appears twice in the header",
                                   "Remove the duplicate column and deliver the file again")
        positions[key] = index
    wanted = {c.name for c in entity.columns}
    missing = [c for c in entity.columns if c.name not in positions]
    extra = [clean[i] for key, i in positions.items() if key not in wanted]
    hints = []
    for column in missing:
        close = difflib.get_close_matches(column.name, [e.upper() for e in extra], n=1, cutoff=0.6)
        if close:
            hints.append(f"{column.name} looks renamed to {close[0]}")
    required_missing = [c.name for c in missing if c.required]
    if required_missing:
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise DeliveryRejected(
            f"{where}: required column(s) {', '.join(required_missing)} missing{hint}; "
            f"header found: {', '.join(clean)}",
            "Re-export with the contract's column names (any order, any letter case)")
    warnings = []
    if extra:
        warnings.append(f"{where}: extra column(s) not in the contract ignored: {', '.join(extra)}")
    optional_missing = [c.name for c in missing]
    if optional_missing:
        hint = f" ({'; '.join(hints)})" if hints else ""
        warnings.append(f"{where}: optional column(s) {', '.join(optional_missing)} missing, loaded as "
                        f"empty{hint}")
    return {c.name: positions[c.name] for c in entity.columns if c.name in positions}, warnings


def _select_list(entity: Entity, positions: dict[str, int], name_of) -> str:
    parts = []
    for column in entity.columns:
        if column.name in positions:
            parts.append(f'{name_of(positions[column.name])} AS "{column.raw_name}"')
        else:
            parts.append(f'CAST(NULL AS VARCHAR) AS "{column.raw_name}"')
    return ", ".join(parts)


# --- CSV ------------------------------------------------------------------------------------------

def _sniff_format(path: Path, head: bytes, declared: str) -> None:
    name = path.name
    if head.startswith(b"PK\x03\x04") and declared != "xlsx":
        raise DeliveryRejected(f"{name} is a ZIP/Excel workbook, not {declared.upper()}",
                               f"Export the data as {declared.upper()} as the contract says")
    if head.startswith(b"PAR1") and declared != "parquet":
        raise DeliveryRejected(f"{name} is a Parquet file, not {declared.upper()}",
                               f"Export the data as {declared.upper()} as the contract says")
    if head.startswith(b"\x1f\x8b"):
        raise DeliveryRejected(f"{name} is gzip-compressed", "Deliver the uncompressed file")


def _detect_encoding(path: Path, allowed: tuple[str, ...]) -> str:
    """'utf-8' or 'cp1252'. Scans the whole file (fast, C speed): NUL bytes or control characters
    mean binary junk; bytes that are not UTF-8 mean Windows-1252 if the contract allows it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            if (nul := block.find(b"\x00")) >= 0:
                raise DeliveryRejected(
                    f"{path.name} contains binary data (NUL byte at byte {offset + nul})",
                    "This is not a text CSV: check the export and deliver the CSV file itself")
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                return _check_cp1252(path, allowed, offset + error.start)
            if bad := _CONTROL.search(text):
                raise DeliveryRejected(
                    f"{path.name} contains control character {bad.group()!r} (binary junk or a broken export)",
                    "Re-export the file as plain text CSV")
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return _check_cp1252(path, allowed, offset + error.start)
    return "utf-8"


def _check_cp1252(path: Path, allowed: tuple[str, ...], at: int) -> str:
    if "cp1252" not in allowed:
        raise DeliveryRejected(f"{path.name} is not UTF-8 (invalid byte at byte {at})",
                               "Re-export the file with UTF-8 encoding")
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            try:
                text = block.decode("cp1252")
            except UnicodeDecodeError as error:
                raise DeliveryRejected(
                    f"{path.name} is neither UTF-8 nor Windows-1252 (byte {block[error.start]:#04x})",
                    "Re-export the file as UTF-8 text CSV") from None
            if bad := _CONTROL.search(text):
                raise DeliveryRejected(f"{path.name} contains control character {bad.group()!r}",
                                       "Re-export the file as plain text CSV")
    return "cp1252"


def _transcode(path: Path, work_dir: Path) -> Path:
    """Windows-1252 → UTF-8 copy for DuckDB (which reads UTF-8 and Latin-1, not 1252's 0x80–0x9F)."""
    target = work_dir / (path.stem + ".utf8.csv")
    with open(path, encoding="cp1252", newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while block := src.read(CHUNK):
            dst.write(block)
    return target


def _header_line(path: Path, encoding: str) -> str:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        return handle.readline(MAX_LINE_BYTES).rstrip("\r\n")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def stage_csv(conn: duckdb.DuckDBPyConnection, source: Source, path: Path, work_dir: Path,
              entity_name: str | None = None) -> list[StagedEntity]:
    # one entity per CSV file: the one whose file_pattern the name matched (DKB_ or PADAN_ for Dukcapil)
    entity = source.entity(entity_name) if entity_name else source.entities[0]
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(4096)
        handle.seek(max(size - 1, 0))
        last_byte = handle.read(1)
    _sniff_format(path, head, "csv")
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise DeliveryRejected(f"{path.name} is empty", "Deliver the file again with its header and rows")
    encoding = _detect_encoding(path, source.encodings)
    header = _header_line(path, encoding)
    delimiter = source.delimiter or ","
    fields = next(csv.reader([header], delimiter=delimiter))
    if len(fields) == 1 and len(entity.columns) > 1:
        for other in _OTHER_DELIMITERS:
            if other != delimiter and len(next(csv.reader([header], delimiter=other))) > 1:
                raise DeliveryRejected(
                    f"{path.name} uses {other!r} as delimiter; the {source.name} contract requires {delimiter!r}",
                    f"Re-export the file with {delimiter!r} between columns")
    where = path.name
    positions, warnings = match_header(entity, fields, where)
    if encoding != "utf-8":
        warnings.append(f"{where}: encoded as Windows-1252, converted to UTF-8")
        path = _transcode(path, work_dir)
    n = len(fields)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    table, bad = f"_in_{entity.name}", f"_bad_{entity.name}"
    parsed, rejects, scans = f"_parsed_{entity.name}", f"_rej_{entity.name}", f"_rejscan_{entity.name}"
    conn.execute(f"DROP VIEW IF EXISTS {table}")
    for name in (bad, parsed, rejects, scans):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    # All text, explicit dialect, no sniffing: the contract fixes the format. Rows that do not split
    # into the header's column count go to the rejects table instead of failing the whole read.
    # The scan runs in parallel; with insertion order preserved (set explicitly: the row numbers
    # depend on it) the temp table's rowid is the accepted row's position in the file, so no
    # single-threaded row_number() window is needed.
    conn.execute("SET preserve_insertion_order = true")
    conn.execute(f"""
        CREATE TEMP TABLE {parsed} AS SELECT * FROM read_csv({_q(str(path))},
            delim={_q(delimiter)}, quote='"', escape='"', header=false, skip=1, columns={columns},
            auto_detect=false, strict_mode=true, null_padding=false, encoding='utf-8',
            max_line_size={MAX_LINE_BYTES}, store_rejects=true,
            rejects_table={_q(rejects)}, rejects_scan={_q(scans)})""")
    # DuckDB's reject `line` counts records with the header as 1: data row = line - 1.
    conn.execute(f"""
        CREATE TEMP TABLE {bad} AS
        SELECT line - 1 AS _row_number,
               CASE WHEN column_name IS NULL THEN NULL ELSE upper(column_name) END AS column_name,
               left(csv_line, 1000) AS raw_value,
               CASE WHEN error_type = 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long' ELSE 'malformed_row' END AS rule,
               error_message || ' — check quoting and the ' || {_q(delimiter)} || ' delimiter in this row' AS message
        FROM {rejects} QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx NULLS LAST) = 1""")
    for name in (rejects, scans):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    bad_rows = conn.execute(f"SELECT count(*) FROM {bad}").fetchone()[0]
    if bad_rows:
        # column_name of a reject is the positional cN; translate it back to the header's name.
        for index, name in enumerate(fields):
            conn.execute(f"UPDATE {bad} SET column_name = {_q(name.strip().upper())} WHERE column_name = 'C{index}'")
        # Accepted row k is data row k + (number of rejected rows before it): an ASOF join on the gaps.
        number = "p.rowid + 1 + coalesce(g.j, 0)"
        source_sql = f"""{parsed} p ASOF LEFT JOIN (
            SELECT r - j AS a, max(j) AS j FROM (
                SELECT _row_number AS r, row_number() OVER (ORDER BY _row_number) AS j FROM {bad})
            GROUP BY 1) g ON p.rowid + 1 > g.a"""
    else:
        number, source_sql = "p.rowid + 1", f"{parsed} p"
    # A view, not a copy: checks and the raw insert read the parsed table directly.
    conn.execute(f"CREATE TEMP VIEW {table} AS SELECT {_select_list(entity, positions, lambda i: f'p.c{i}')}, "
                 f"{number} AS _row_number FROM {source_sql}")
    accepted, first, final = conn.execute(f"SELECT count(*), min(rowid), max(rowid) FROM {parsed}").fetchone()
    if accepted and (first, final) != (0, accepted - 1):
        # Provisional rowids (staged inside an open transaction) would give wrong row numbers.
        raise RuntimeError("stage_csv must run outside a transaction: its row numbers are the temp table's rowids")
    last = conn.execute(f"SELECT max(_row_number) FROM {table}").fetchone()[0] if bad_rows else accepted
    if bad_rows:
        last = max(last or 0, conn.execute(f"SELECT max(_row_number) FROM {bad}").fetchone()[0])
    return [StagedEntity(entity, table, bad, accepted + bad_rows, last or 0,
                         ends_cleanly=last_byte in (b"\n", b""), warnings=warnings,
                         cleanup=(f"DROP VIEW IF EXISTS {table}", f"DROP TABLE IF EXISTS {parsed}",
                                  f"DROP TABLE IF EXISTS {bad}"))]


# --- Parquet --------------------------------------------------------------------------------------

def stage_parquet(conn: duckdb.DuckDBPyConnection, source: Source, path: Path, entity_names: tuple[str, ...]
                  ) -> list[StagedEntity]:
    import pyarrow.parquet as pq

    with open(path, "rb") as handle:
        head = handle.read(4)
    if path.stat().st_size == 0:
        raise DeliveryRejected(f"{path.name} is empty", "Deliver the Parquet file again")
    _sniff_format(path, head, "parquet")
    try:
        schema = pq.read_schema(path)
    except Exception as error:  # pyarrow raises ArrowInvalid/OSError for junk and truncation alike
        raise DeliveryRejected(f"{path.name} is not a readable Parquet file ({error})",
                               "The file is damaged or truncated: deliver it again") from None
    entity = source.entity(entity_names[0])
    positions, warnings = match_header(entity, list(schema.names), path.name)
    table, bad = f"_in_{entity.name}", f"_bad_{entity.name}"
    for name in (table, bad):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    names = list(schema.names)
    # Materialised (not a view) so damaged data pages reject the file here, with a clear message.
    try:
        conn.execute(f"""
            CREATE TEMP TABLE {table} AS
            SELECT {_select_list(entity, positions, lambda i: '"' + names[i].replace('"', '""') + '"')},
                   file_row_number + 1 AS _row_number
            FROM read_parquet({_q(str(path))}, file_row_number=true)""")
    except duckdb.Error as error:
        raise DeliveryRejected(f"{path.name}: Parquet data could not be read ({error})",
                               "The file is damaged or truncated: deliver it again") from None
    conn.execute(f"CREATE TEMP TABLE {bad} (_row_number BIGINT, column_name VARCHAR, raw_value VARCHAR, "
                 "rule VARCHAR, message VARCHAR)")
    rows, last = conn.execute(f"SELECT count(*), coalesce(max(_row_number), 0) FROM {table}").fetchone()
    types = _column_types(conn, table)
    return [StagedEntity(entity, table, bad, rows, last, warnings=warnings, column_types=types,
                         cleanup=(f"DROP TABLE IF EXISTS {table}", f"DROP TABLE IF EXISTS {bad}"))]


def _column_types(conn: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {name: str(kind) for name, kind, *_ in conn.execute(f"DESCRIBE {table}").fetchall()}


# --- Excel ----------------------------------------------------------------------------------------

def _cell_text(value, kind: Kind, date_format: str | None) -> str | None:
    """A cell as the text an operator typed. Numbers in NIK/KK columns keep Excel's 15 significant
    digits in scientific form, so the NIK check sees the damage instead of a plausible number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | int):
        if kind in (Kind.NIK, Kind.KK):
            return f"{float(value):.15G}"
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, datetime | date):
        fmt = date_format or ("%Y-%m-%dT%H:%M:%S" if isinstance(value, datetime) else "%Y-%m-%d")
        return value.strftime(fmt)
    return str(value)


def stage_xlsx(conn: duckdb.DuckDBPyConnection, source: Source, path: Path) -> list[StagedEntity]:
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as handle:
        head = handle.read(4)
    if path.stat().st_size == 0:
        raise DeliveryRejected(f"{path.name} is empty", "Deliver the workbook again")
    if not head.startswith(b"PK\x03\x04"):
        _sniff_format(path, head, "xlsx")
        raise DeliveryRejected(f"{path.name} is not an .xlsx workbook",
                               "Save the file as Excel Workbook (.xlsx) and deliver it again")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for damaged archives
        raise DeliveryRejected(f"{path.name} cannot be opened as a workbook ({error})",
                               "The file is damaged or truncated: save it again in Excel and deliver it") from None
    sheets = {name.strip().upper(): name for name in workbook.sheet_names}
    missing = [e.sheet for e in source.entities if e.sheet not in sheets]
    if missing:
        raise DeliveryRejected(
            f"{path.name}: sheet(s) {', '.join(missing)} missing (found: {', '.join(workbook.sheet_names)})",
            "Use the contract's workbook template with the sheets USULAN, SANGGAHAN and GROUND_CHECK "
            "(an empty sheet with its header is fine)")
    staged = []
    for entity in source.entities:
        rows = workbook.get_sheet_by_name(sheets[entity.sheet]).to_python(skip_empty_area=False)
        where = f"{path.name}, sheet {entity.sheet}"
        if not rows:
            raise DeliveryRejected(f"{where} has no header row", "Keep the template's header row in row 1")
        positions, warnings = match_header(entity, list(rows[0]), where)
        columns: dict[str, list] = {c.raw_name: [] for c in entity.columns}
        numbers = []
        for number, row in enumerate(rows[1:], start=1):
            if all(cell is None or str(cell).strip() == "" for cell in row):
                continue  # formatted but empty rows are not data
            numbers.append(number)
            for column in entity.columns:
                index = positions.get(column.name)
                cell = row[index] if index is not None and index < len(row) else None
                columns[column.raw_name].append(_cell_text(cell, column.kind, column.date_format))
        data = pa.table({**{k: pa.array(v, pa.string()) for k, v in columns.items()},
                         "_row_number": pa.array(numbers, pa.int64())})
        table, bad = f"_in_{entity.name}", f"_bad_{entity.name}"
        for name in (table, bad):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        conn.register("_xlsx_rows", data)
        conn.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM _xlsx_rows")
        conn.unregister("_xlsx_rows")
        conn.execute(f"CREATE TEMP TABLE {bad} (_row_number BIGINT, column_name VARCHAR, raw_value VARCHAR, "
                     "rule VARCHAR, message VARCHAR)")
        staged.append(StagedEntity(entity, table, bad, len(numbers), max(numbers, default=0), warnings=warnings,
                                   cleanup=(f"DROP TABLE IF EXISTS {table}", f"DROP TABLE IF EXISTS {bad}")))
    return staged


def stage_delivery(conn: duckdb.DuckDBPyConnection, source: Source, path: Path, name: DeliveryName,
                   work_dir: Path) -> list[StagedEntity]:
    """Stage one delivered file per its source's format (raises DeliveryRejected)."""
    if source.file_format == "csv":
        return stage_csv(conn, source, path, work_dir, name.entities[0])
    if source.file_format == "parquet":
        return stage_parquet(conn, source, path, name.entities)
    if source.file_format == "xlsx":
        return stage_xlsx(conn, source, path)
    raise DeliveryRejected(f"{path.name}: {source.file_format} deliveries are not read from files",
                           f"Use the {source.name} pull instead")


__all__ = ["DeliveryName", "DeliveryRejected", "StagedEntity", "drop_staged", "match_header", "parse_file_name",
           "raw_column_types", "stage_delivery"]

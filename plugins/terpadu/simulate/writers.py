"""File writers: append-friendly CSV and Parquet, deterministic xlsx, and the ground-truth tables.

Determinism matters (same seed → byte-identical files, so a test and a bug report can point at the
same bytes): CSVs are assembled by Arrow compute kernels with the csv module's QUOTE_MINIMAL rules
and CRLF line endings, Parquet without wall-clock metadata, and the xlsx zip is re-packed with a
fixed timestamp and fixed core properties.

Delivery builders hand over *columns* (a dict of name → numpy array, pyarrow array or scalar), not
pandas frames: pandas 3 converts every object column to Arrow strings on construction and back on
iteration, which was most of the simulator's run time.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def date_text(days: np.ndarray, fmt: str) -> np.ndarray:
    """datetime64 → 'dd-mm-yyyy' or 'yyyy-mm-dd' strings (object array); NaT → ''."""
    d = pa.array(np.asarray(days).astype("datetime64[D]"), type=pa.date32(), from_pandas=True)
    text = pc.fill_null(pc.strftime(d, format=fmt), "")
    return text.to_numpy(zero_copy_only=False)


def n_rows(columns) -> int:
    """Row count of a pandas frame or a column dict (scalars broadcast, so the first array decides)."""
    if isinstance(columns, pd.DataFrame):
        return len(columns)
    return next((len(v) for v in columns.values() if isinstance(v, np.ndarray | pa.Array | list)), 0)


def concat_columns(parts: list[dict]) -> dict:
    """Row-wise concatenation of column dicts with the same keys (scalars broadcast first)."""
    parts = [p for p in parts if n_rows(p)]
    if not parts:
        return {}
    out = {}
    for key in parts[0]:
        arrays = []
        for p in parts:
            v = p[key]
            arrays.append(v if isinstance(v, np.ndarray) else np.full(n_rows(p), v, dtype=object)
                          if not isinstance(v, list) else np.asarray(v, dtype=object))
        out[key] = np.concatenate(arrays)
    return out


def _text_array(value, n: int) -> pa.Array:
    """One CSV column as an Arrow string array; None → '' as the csv module writes it."""
    if isinstance(value, pd.Series):
        value = value.to_numpy(dtype=object)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if not isinstance(value, pa.Array):
        if np.ndim(value) == 0:
            return pa.array(np.full(n, "" if value is None else value, dtype=object), type=pa.string())
        value = pa.array(value, type=pa.string(), from_pandas=True)
    elif value.type != pa.string():
        value = value.cast(pa.string())
    return pc.fill_null(value, "") if value.null_count else value


def _string_bytes(text: pa.Array) -> memoryview:
    """The UTF-8 bytes of all values of a string array, back to back (no copy)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)
    start, end = offsets[text.offset], offsets[text.offset + len(text)]
    return memoryview(text.buffers()[2])[start:end] if end > start else memoryview(b"")


def csv_bytes(columns: list, n: int, delimiter: str) -> bytes:
    """Rows as CSV text in UTF-8, byte for byte what csv.writer(lineterminator='\\r\\n') writes:
    a field is quoted (quotes doubled) only when it holds the delimiter, a quote or a line break."""
    special = np.zeros(256, dtype=bool)  # byte → needs quoting; a gather is faster than np.isin
    special[list((delimiter + '"\r\n').encode())] = True
    needs = "[" + re.escape(delimiter) + '"\r\n]'
    parts = []
    for value in columns:
        text = _text_array(value, n)
        # most columns never hold a special character: one byte scan of the column decides
        if special[np.frombuffer(_string_bytes(text), dtype=np.uint8)].any():
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
            text = pc.if_else(pc.match_substring_regex(text, needs), quoted, text)
        parts += [text, delimiter]
    parts[-1] = "\r\n"
    return _string_bytes(pc.binary_join_element_wise(*parts, "")).tobytes()


class CsvAppender:
    """One delivery CSV, written in pieces (header first)."""

    def __init__(self, path: Path, columns: list[str], delimiter: str, encoding: str = "utf-8"):
        self.path = path
        self.columns = columns
        self.delimiter = delimiter
        self.encoding = encoding
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(self._encode(csv_bytes(list(columns), 1, delimiter)))

    def _encode(self, data: bytes) -> bytes:
        # cp1252 exports (SIKS-NG on Windows) lose what 1252 cannot hold as '?', as Excel does
        return data if self.encoding == "utf-8" else data.decode("utf-8").encode(self.encoding, "replace")

    def append(self, frame) -> None:
        n = n_rows(frame)
        if not n:
            return
        data = csv_bytes([frame[name] for name in self.columns], n, self.delimiter)
        with open(self.path, "ab") as handle:
            handle.write(self._encode(data))
        self.rows += n


def _typed(value, typ: pa.DataType, n: int) -> pa.Array:
    """A column as an Arrow array of the schema's type (NaT/None → null, as Table.from_pandas does)."""
    if isinstance(value, pa.Array):
        return value if value.type == typ else value.cast(typ)
    if np.ndim(value) == 0:
        value = np.full(n, value, dtype=object)
    return pa.array(value, type=typ, from_pandas=True)


class ParquetAppender:
    """One Parquet file with a fixed schema, one row group per chunk."""

    def __init__(self, path: Path, schema: pa.Schema):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, compression="zstd", write_statistics=True)

    def append(self, frame) -> None:
        n = n_rows(frame)
        if not n:
            return
        if isinstance(frame, pd.DataFrame):
            table = pa.Table.from_pandas(frame[self.schema.names], schema=self.schema, preserve_index=False)
        else:
            table = pa.Table.from_arrays([_typed(frame[f.name], f.type, n) for f in self.schema], schema=self.schema)
        self._writer.write_table(table.replace_schema_metadata(None))
        self.rows += n

    def close(self) -> None:
        self._writer.close()  # idempotent


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[tuple]]]) -> None:
    """A workbook of text cells (openpyxl write_only), then re-zipped with fixed timestamps."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    fixed = datetime(2026, 1, 1)
    wb.properties.creator = "terpadu simulate"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with now() on save
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              r"\g<1>2026-01-01T00:00:00Z\2", text)
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)


TRUTH_SCHEMAS = {
    "persons": pa.schema([
        ("person_id", pa.int64()), ("family_id", pa.int64()), ("region_code", pa.string()),
        ("origin_region_code", pa.string()), ("kode_desa", pa.string()), ("nik", pa.string()),
        ("no_kk", pa.string()), ("nama", pa.string()), ("tgl_lahir", pa.date32()), ("female", pa.bool_()),
        ("hubungan", pa.string()), ("alive", pa.bool_()), ("tgl_mati", pa.date32()),
        ("pce", pa.float64()), ("poor", pa.bool_()), ("welfare_rank", pa.float64()), ("eligible", pa.bool_()),
        ("in_dtks", pa.bool_()), ("moved", pa.bool_()),
    ]),
    "families": pa.schema([
        ("family_id", pa.int64()), ("region_code", pa.string()), ("origin_region_code", pa.string()),
        ("kode_desa", pa.string()), ("no_kk", pa.string()), ("no_kk_old", pa.string()), ("size", pa.int32()),
        ("pce", pa.float64()), ("poverty_line", pa.float64()), ("poor", pa.bool_()),
        ("welfare_rank", pa.float64()), ("eligible", pa.bool_()), ("dtks_status", pa.string()),
        ("in_regsosek", pa.bool_()), ("moved", pa.bool_()), ("head_only", pa.bool_()),
    ]),
    "rows": pa.schema([
        ("source", pa.string()), ("entity", pa.string()), ("file", pa.string()), ("row_number", pa.int64()),
        ("person_id", pa.int64()), ("family_id", pa.int64()),
    ]),
    "defects": pa.schema([
        ("source", pa.string()), ("entity", pa.string()), ("file", pa.string()), ("row_number", pa.int64()),
        ("person_id", pa.int64()), ("family_id", pa.int64()), ("defect", pa.string()), ("detail", pa.string()),
    ]),
}


class TruthWriter:
    """The answer key: persons.parquet, families.parquet, rows.parquet, defects.parquet."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.writers = {name: ParquetAppender(folder / f"{name}.parquet", schema)
                        for name, schema in TRUTH_SCHEMAS.items()}

    def append(self, name: str, frame) -> None:
        self.writers[name].append(frame)

    def close_one(self, name: str) -> None:
        """Finish one table early (it can be read back while the others still take rows)."""
        self.writers[name].close()

    def close(self) -> dict[str, int]:
        for w in self.writers.values():
            w.close()
        return {name: w.rows for name, w in self.writers.items()}

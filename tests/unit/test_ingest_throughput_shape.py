"""Shape of the fast ingest path (no timings here: speed belongs in `make bench`).

- every raw table exists, with its declared types, before any delivery (dbt staging builds on
  zero deliveries of a source);
- Parquet deliveries are cast into the declared types; a value that does not convert is
  quarantined with its file, row, column, value and rule;
- CSV row numbers stay right when DuckDB parses the file in parallel chunks;
- `floor_read` reads the same file bare.
"""

from __future__ import annotations

import csv
import io

import duckdb
import pyarrow as pa
import pytest
import yaml
from terpadu.ingest import ingest_source, load_deliveries
from terpadu.ingest.bench import floor_read
from terpadu.settings import Settings
from terpadu.sources.contracts import LINEAGE_COLUMNS, SOURCES
from terpadu.sources.readers import raw_column_types

from tests.unit.ingest_fixtures import (
    PERIOD,
    REGION,
    csv_bytes,
    dtks_name,
    dtks_rows,
    parquet_bytes,
    regsosek_tables,
    settings,  # noqa: F401  (pytest fixture)
    write,
)

KELUARGA = f"REGSOSEK_KELUARGA_{REGION}_{PERIOD}.parquet"
INDIVIDU = f"REGSOSEK_INDIVIDU_{REGION}_{PERIOD}.parquet"


def _query(cfg: Settings, sql: str):
    conn = duckdb.connect(str(cfg.warehouse_path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _types(cfg: Settings, table: str) -> dict[str, str]:
    return dict(_query(cfg, "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'raw' "
                                 f"AND table_name = '{table}'"))


def test_every_raw_table_exists_with_declared_types_before_any_delivery(settings):  # noqa: F811
    assert load_deliveries("regsosek", [], settings) == []  # nothing delivered at all
    for source in SOURCES.values():
        for entity in source.entities:
            types = _types(settings, entity.raw_table)
            assert list(types) == [*raw_column_types(source, entity), *LINEAGE_COLUMNS], entity.raw_table
            assert {k: v for k, v in types.items() if not k.startswith("_")} == raw_column_types(source, entity)
    keluarga, individu = _types(settings, "regsosek_keluarga"), _types(settings, "regsosek_individu")
    assert (keluarga["kode_desa"], keluarga["status_bangunan"], keluarga["luas_lantai"], keluarga["aset_kulkas"],
            keluarga["periode"]) == ("VARCHAR", "VARCHAR", "INTEGER", "TINYINT", "VARCHAR")
    assert (individu["tgl_lahir"], individu["nik"], individu["disabilitas"]) == ("DATE", "VARCHAR", "TINYINT")


def test_every_dbt_source_table_exists_with_zero_deliveries(settings):  # noqa: F811
    """dbt staging selects from these; a missing table fails `dbt build` before any data arrives."""
    load_deliveries("dtks", [], settings)
    existing = {t for (t,) in _query(settings, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'")}
    declared = set()
    for path in (settings.project_root / "dbt_project" / "models" / "staging").rglob("_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if source.get("schema") == "raw":
                declared |= {t["name"] for t in source["tables"]}
    assert declared, "no raw sources found in the dbt project"
    assert declared <= existing, declared - existing


def test_simulator_parquet_schema_matches_declared_types():
    """The simulator writes Regsosek with the types raw declares, so its files load without casts."""
    from terpadu.simulate.engine import _regsosek_schemas

    to_duckdb = {pa.string(): "VARCHAR", pa.int8(): "TINYINT", pa.int32(): "INTEGER", pa.date32(): "DATE"}
    for schema, entity in zip(_regsosek_schemas(), SOURCES["regsosek"].entities, strict=True):
        written = {f.name.lower(): to_duckdb[f.type] for f in schema}
        assert written == raw_column_types(SOURCES["regsosek"], entity)


def test_parquet_with_other_but_castable_types_loads_into_declared_types(settings):  # noqa: F811
    family, person = regsosek_tables()
    # int64 counts, bool flags, integer codes, text dates: all convert without loss.
    family = family.set_column(family.schema.get_field_index("LUAS_LANTAI"), "LUAS_LANTAI",
                               pa.array([36, 45, 60, 21], pa.int64()))
    family = family.set_column(family.schema.get_field_index("ASET_KULKAS"), "ASET_KULKAS",
                               pa.array([True, False, True, False], pa.bool_()))
    family = family.set_column(family.schema.get_field_index("STATUS_BANGUNAN"), "STATUS_BANGUNAN",
                               pa.array([1, 2, 3, 4], pa.int64()))
    person = person.set_column(person.schema.get_field_index("TGL_LAHIR"), "TGL_LAHIR",
                               pa.array(["1985-08-17"] * 4, pa.string()))
    folder = settings.inbox_dir / "regsosek"
    write(folder, KELUARGA, parquet_bytes(family))
    write(folder, INDIVIDU, parquet_bytes(person))
    results = ingest_source("regsosek", settings, progress=None)
    assert [(r["outcome"], r["rows_loaded"], r["rows_quarantined"]) for r in results] == [
        ("accepted", 4, 0), ("accepted", 4, 0)], results
    assert _types(settings, "regsosek_keluarga")["luas_lantai"] == "INTEGER"
    assert _query(settings, "SELECT luas_lantai, aset_kulkas, status_bangunan FROM raw.regsosek_keluarga "
                  "ORDER BY _row_number") == [(36, 1, "1"), (45, 0, "2"), (60, 1, "3"), (21, 0, "4")]
    import datetime
    assert _query(settings, "SELECT DISTINCT tgl_lahir FROM raw.regsosek_individu") == [(datetime.date(1985, 8, 17),)]


def test_parquet_value_that_does_not_convert_is_quarantined(settings):  # noqa: F811
    family, person = regsosek_tables()
    family = family.set_column(family.schema.get_field_index("LUAS_LANTAI"), "LUAS_LANTAI",
                               pa.array(["36", "x", "36.5", "40"], pa.string()))
    family = family.set_column(family.schema.get_field_index("JUMLAH_KAMAR"), "JUMLAH_KAMAR",
                               pa.array([2.0, 3.0, 1.0, 2.5], pa.float64()))
    person = person.set_column(person.schema.get_field_index("TGL_LAHIR"), "TGL_LAHIR",
                               pa.array(["1985-08-17", "17-08-1985", "1985-08-17", "1985-08-17"], pa.string()))
    folder = settings.inbox_dir / "regsosek"
    write(folder, KELUARGA, parquet_bytes(family))
    write(folder, INDIVIDU, parquet_bytes(person))
    keluarga, individu = ingest_source("regsosek", settings, progress=None)
    assert (keluarga["outcome"], keluarga["rows_loaded"], keluarga["rows_quarantined"]) == ("accepted", 1, 3)
    assert keluarga["quarantine_by_rule"] == {"bad_type": 3}
    assert (individu["rows_loaded"], individu["quarantine_by_rule"]) == (3, {"bad_type": 1})
    assert _query(settings, "SELECT source_file, row_number, column_name, raw_value, rule FROM raw.quarantine "
                  "ORDER BY source_file, row_number, column_name") == [
        (INDIVIDU, 2, "TGL_LAHIR", "17-08-1985", "bad_type"),
        (KELUARGA, 2, "LUAS_LANTAI", "x", "bad_type"),
        (KELUARGA, 3, "LUAS_LANTAI", "36.5", "bad_type"),  # would round to 37
        (KELUARGA, 4, "JUMLAH_KAMAR", "2.5", "bad_type"),  # would round to 2
    ]
    message = _query(settings, "SELECT message FROM raw.quarantine WHERE row_number = 2 "
                     "AND column_name = 'LUAS_LANTAI'")
    assert "INTEGER" in message[0][0] and "VARCHAR" in message[0][0]
    assert _query(settings, "SELECT _row_number, luas_lantai, jumlah_kamar FROM raw.regsosek_keluarga") == [(1, 36, 2)]


@pytest.mark.slow
def test_csv_row_numbers_survive_parallel_parsing(settings):  # noqa: F811
    """~25 MB: DuckDB splits it into several chunks parsed in parallel; quarantined and loaded rows
    must still carry their own file row numbers (IDDTKS encodes the row here)."""
    template = dtks_rows(1)[0]
    n = 200_000
    bad_enum = {7, 90_001, 199_999}
    malformed = {3, 120_000, 200_000}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(list(template))
    for row in range(1, n + 1):
        if row in malformed:
            out.write(f"R{row:07d};too;few\n")
            continue
        values = dict(template, IDDTKS=f"R{row:07d}", ALAMAT=f"Jl. Melati {row} " + "x" * 40)
        if row in bad_enum:
            values["PKH"] = "YA"
        writer.writerow(list(values.values()))
    write(settings.inbox_dir / "dtks", dtks_name(), out.getvalue().encode())
    [result] = ingest_source("dtks", settings, progress=None)
    assert (result["rows_read"], result["rows_loaded"], result["rows_quarantined"]) == (n, n - 6, 6)
    assert result["quarantine_by_rule"] == {"bad_enum": 3, "malformed_row": 3}
    quarantined = _query(settings, "SELECT row_number, rule, raw_value FROM raw.quarantine ORDER BY 1")
    assert [(r, rule) for r, rule, _ in quarantined] == sorted(
        [(r, "bad_enum") for r in bad_enum] + [(r, "malformed_row") for r in malformed])
    assert all(value.startswith(f"R{r:07d}") for r, rule, value in quarantined if rule == "malformed_row")
    mismatched = _query(settings, "SELECT count(*) FROM raw.dtks_persons "
                        "WHERE iddtks <> 'R' || lpad(CAST(_row_number AS VARCHAR), 7, '0')")
    assert mismatched == [(0,)]


def test_floor_read_counts_the_same_rows(tmp_path):
    path = write(tmp_path, dtks_name(), csv_bytes(dtks_rows(7), ";"))
    floor = floor_read(path, "dtks")
    assert floor["rows"] == 7 and floor["seconds"] > 0 and floor["method"].startswith("read_csv")
    family, _ = regsosek_tables(5)
    parquet = write(tmp_path, KELUARGA, parquet_bytes(family))
    assert floor_read(parquet, "regsosek")["rows"] == 5

"""The bad-input catalogue (tests/fixtures/bad_inputs/README.md): each case is generated from a small
valid delivery, ingested end to end, and checked for its documented outcome and for zero rows lost
(rows_read = rows_loaded + rows_quarantined, and the warehouse holds exactly those rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pytest
from terpadu.ingest import ingest_source
from terpadu.sources.nik import check_nik

from tests.unit.ingest_fixtures import (
    DESA,
    PERIOD,
    REGION,
    csv_bytes,
    dtks_name,
    dtks_rows,
    dukcapil_rows,
    kabkota_sheets,
    nik,
    parquet_bytes,
    regsosek_tables,
    settings,  # noqa: F401  (pytest fixture)
    write,
    xlsx_bytes,
)


@dataclass
class Case:
    source: str
    files: dict[str, bytes]
    outcome: str  # outcome of every delivery of the case
    rows_loaded: int | None = None
    rules: dict[str, int] = field(default_factory=dict)  # quarantined rows per rule
    message: str = ""  # substring of the message (rejections) or of a warning


def dtks(rows=None, **kw) -> bytes:
    return csv_bytes(rows or dtks_rows(), ";", **kw)


def _rows_with(**changes):
    rows = dtks_rows()
    for key, (index, value) in changes.items():
        rows[index][key] = value
    return rows


def _cp1252() -> bytes:
    rows = dtks_rows()
    rows[0]["NAMA"] = "Siti Nur’aini Façade"  # ’ is 0x92 in Windows-1252, not Latin-1
    return dtks(rows, encoding="cp1252")


def _truncated() -> bytes:
    data = dtks()
    return data[: len(data) - 12]  # cut inside the last row


def _huge() -> bytes:
    rows = dtks_rows()
    rows[1]["ALAMAT"] = "x" * 3_000_000  # over the CSV reader's 2 MB line limit
    rows[2]["ALAMAT"] = "y" * 5_000  # over the 1000-character value limit
    return dtks(rows)


def _malformed() -> bytes:
    return dtks() + b"D999;;;;too;few\n" + dtks()[dtks().index(b"\n") + 1:].replace(b"D00", b"E00")


def _regsosek_missing():
    family, _ = regsosek_tables()
    return parquet_bytes(family.drop(["KODE_DESA"]))


def _xlsx_missing_sheet():
    sheets = kabkota_sheets()
    del sheets["GROUND_CHECK"]
    return xlsx_bytes(sheets)


def _xlsx_numeric_nik():
    sheets = kabkota_sheets()
    sheets["USULAN"][1][1] = 3510011708850001  # optional NIK typed as a number → loaded, flagged later
    sheets["GROUND_CHECK"][1][1] = 3510011708850001  # required NIK typed as a number → quarantined
    return xlsx_bytes(sheets)


def _dukcapil(**changes):
    rows = dukcapil_rows()
    for key, (index, value) in changes.items():
        rows[index][key] = value
    return csv_bytes(rows, ",")


CASES = {
    "cp1252_encoding": Case("dtks", {dtks_name(): _cp1252()}, "accepted", 6, message="Windows-1252"),
    "utf8_bom": Case("dtks", {dtks_name(): b"\xef\xbb\xbf" + dtks()}, "accepted", 6),
    "crlf_line_endings": Case("dtks", {dtks_name(): dtks().replace(b"\n", b"\r\n")}, "accepted", 6),
    "wrong_delimiter": Case("dtks", {dtks_name(): csv_bytes(dtks_rows(), ",")}, "rejected", message="delimiter"),
    "header_lower_case_reordered": Case(
        "dtks", {dtks_name(): dtks(columns=list(reversed(list(dtks_rows()[0])))).replace(b"IDDTKS", b"iddtks")
                 .replace(b"NAMA", b"Nama")}, "accepted", 6),
    "missing_required_column": Case(
        "dtks", {dtks_name(): dtks(columns=[c for c in dtks_rows()[0] if c != "NAMA"])}, "rejected",
        message="NAMA"),
    "missing_optional_column": Case(
        "dtks", {dtks_name(): dtks(columns=[c for c in dtks_rows()[0] if c != "ALAMAT"])}, "accepted", 6,
        message="optional column(s) ALAMAT missing"),
    "extra_column": Case("dtks", {dtks_name(): dtks(columns=[*dtks_rows()[0], "CATATAN"])}, "accepted", 6,
                         message="CATATAN"),
    "renamed_column": Case(
        "dtks", {dtks_name(): dtks(columns=list(dtks_rows()[0])).replace(b"TGL_LAHIR", b"TGL_LAHIR_")},
        "rejected", message="looks renamed"),
    "excel_nik_optional_loaded": Case(
        "dtks", {dtks_name(): dtks([dict(r, NIK=v) for r, v in zip(dtks_rows(), ["3.51001E+15", "3510011708850001.0",
                                   "3510011708850000", "351001170885001", "", nik(5)], strict=True)])},
        "accepted", 6),
    "excel_nik_required_quarantined": Case(
        "dukcapil", {f"DKB_{REGION}_{PERIOD}.csv": _dukcapil(NIK=(0, "3.51001E+15"))}, "accepted", 4,
        {"nik_unusable": 1}),
    "xlsx_numeric_nik": Case("kabkota", {f"DAFTAR_{REGION}_{PERIOD}.xlsx": _xlsx_numeric_nik()}, "accepted", 8,
                             {"nik_unusable": 1}),
    "empty_file": Case("dtks", {dtks_name(): b""}, "rejected", message="empty"),
    "header_only": Case("dtks", {dtks_name(): dtks().split(b"\n")[0] + b"\n"}, "rejected", message="no data rows"),
    "truncated_mid_row": Case("dtks", {dtks_name(): _truncated()}, "rejected", message="truncated"),
    "binary_junk": Case("dtks", {dtks_name(): bytes(range(256)) * 40}, "rejected", message="binary"),
    "xlsx_named_csv": Case("dtks", {dtks_name(): _xlsx_missing_sheet()}, "rejected", message="Excel workbook"),
    "huge_field": Case("dtks", {dtks_name(): _huge()}, "accepted", 4, {"line_too_long": 1, "too_long": 1}),
    "malformed_rows": Case("dtks", {dtks_name(): _malformed()}, "accepted", 12, {"malformed_row": 1}),
    "wrong_period_file_name": Case("dtks", {dtks_name("202609"): dtks()}, "rejected", message="period 202609"),
    "one_row_other_period": Case("dtks", {dtks_name(): dtks(_rows_with(PERIODE=(3, "202609")))}, "accepted", 5,
                                 {"period_mismatch": 1}),
    "kode_desa_unknown": Case("dtks", {dtks_name(): dtks(_rows_with(KODE_DESA=(1, REGION + "999999")))},
                              "accepted", 5, {"unknown_desa": 1}),
    "kode_desa_other_region": Case("dtks", {dtks_name(): dtks(_rows_with(KODE_DESA=(1, "3171010001")))},
                                   "accepted", 5, {"desa_outside_region": 1}),
    "kode_desa_wrong_width": Case("dtks", {dtks_name(): dtks(_rows_with(KODE_DESA=(2, DESA[0][:9])))},
                                  "accepted", 5, {"bad_digits": 1}),
    "invalid_date": Case("dtks", {dtks_name(): dtks(_rows_with(TGL_LAHIR=(0, "31-02-1990")))}, "accepted", 5,
                         {"bad_date": 1}),
    "date_wrong_format": Case("dtks", {dtks_name(): dtks(_rows_with(TGL_LAHIR=(0, "1990-02-01")))}, "accepted", 5,
                              {"bad_date": 1}),
    "bad_enum": Case("dtks", {dtks_name(): dtks(_rows_with(JENIS_KELAMIN=(4, "L")))}, "accepted", 5,
                     {"bad_enum": 1}),
    "required_value_blank": Case("dtks", {dtks_name(): dtks(_rows_with(NAMA=(2, "  ")))}, "accepted", 5,
                                 {"required_missing": 1}),
    "dukcapil_region_mismatch": Case(
        "dukcapil", {f"DKB_{REGION}_{PERIOD}.csv": _dukcapil(NO_KAB=(1, "71"))}, "accepted", 4,
        {"region_mismatch": 1}),
    "dukcapil_bad_timestamp": Case(
        "dukcapil", {f"DKB_{REGION}_{PERIOD}.csv": _dukcapil(TGL_UPDATE=(2, "30/09/2026"))}, "accepted", 4,
        {"bad_timestamp": 1}),
    "file_name_unparsed": Case("dtks", {"dtks_export_final.csv": dtks()}, "rejected", message="does not match"),
    "file_name_unknown_region": Case("dtks", {dtks_name(region="9999"): dtks()}, "rejected",
                                     message="not a Kemendagri"),
    "parquet_missing_column": Case("regsosek", {f"REGSOSEK_KELUARGA_{REGION}_{PERIOD}.parquet": _regsosek_missing()},
                                   "rejected", message="KODE_DESA"),
    "parquet_truncated": Case("regsosek", {f"REGSOSEK_INDIVIDU_{REGION}_{PERIOD}.parquet":
                                           parquet_bytes(regsosek_tables()[1])[:-100]}, "rejected",
                              message="not a readable Parquet"),
    "xlsx_missing_sheet": Case("kabkota", {f"DAFTAR_{REGION}_{PERIOD}.xlsx": _xlsx_missing_sheet()}, "rejected",
                               message="GROUND_CHECK"),
    "all_rows_bad": Case("dtks", {dtks_name(): dtks([dict(r, PKH="YA") for r in dtks_rows()])}, "rejected",
                         message="every one"),
}


def assert_accounted(settings, results):
    """Zero rows lost: the log, the raw tables and the quarantine agree with every result."""
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        for result in results:
            assert result["rows_read"] == result["rows_loaded"] + result["rows_quarantined"], result
            row = conn.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM raw.delivery_log "
                               "WHERE delivery_id = ?", [result["delivery_id"]]).fetchone()
            assert row is not None, f"{result['delivery_id']} missing from raw.delivery_log"
            if result["outcome"] != "accepted":
                continue
            assert row == (result["rows_read"], result["rows_loaded"], result["rows_quarantined"])
            tables = [t for (t,) in conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' AND table_name NOT IN "
                "('delivery_log', 'quarantine')").fetchall()]
            in_raw = sum(conn.execute(f"SELECT count(*) FROM raw.{t} WHERE _delivery_id = ?",
                                      [result["delivery_id"]]).fetchone()[0] for t in tables)
            assert in_raw == result["rows_loaded"]
            quarantined = conn.execute("SELECT count(DISTINCT entity || row_number) FROM raw.quarantine "
                                       "WHERE delivery_id = ?", [result["delivery_id"]]).fetchone()[0]
            assert quarantined == result["rows_quarantined"]
    finally:
        conn.close()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name, settings):  # noqa: F811
    case = CASES[name]
    for file_name, data in case.files.items():
        write(settings.inbox_dir / case.source, file_name, data)
    results = ingest_source(case.source, settings, progress=None)
    assert results and all(r["outcome"] == case.outcome for r in results), results
    assert_accounted(settings, results)
    result = results[0]
    if case.rows_loaded is not None:
        assert result["rows_loaded"] == case.rows_loaded, result
    assert result["quarantine_by_rule"] == case.rules, result
    if case.message:
        assert case.message in result["message"] + " ".join(result["warnings"]), result
    # Re-running ingest is a no-op.
    again = ingest_source(case.source, settings, progress=None)
    assert [r["outcome"] for r in again] == ["duplicate"] * len(results)
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    assert conn.execute("SELECT count(*) FROM raw.delivery_log").fetchone()[0] == len(results)
    conn.close()


def _query(settings, sql, params=()):
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()


def test_row_numbers_point_at_the_file_rows(settings):  # noqa: F811
    rows = dtks_rows()
    rows[3]["JENIS_KELAMIN"] = "X"
    data = dtks(rows) + b"D9;too;few\n" + csv_bytes(dtks_rows(2), ";").split(b"\n", 1)[1]
    write(settings.inbox_dir / "dtks", dtks_name(), data)
    [result] = ingest_source("dtks", settings, progress=None)
    quarantine = _query(settings, "SELECT row_number, column_name, raw_value, rule FROM raw.quarantine ORDER BY 1")
    assert quarantine[0] == (4, "JENIS_KELAMIN", "X", "bad_enum")
    assert quarantine[1][0] == 7 and quarantine[1][3] == "malformed_row"
    loaded = _query(settings, "SELECT _row_number, iddtks FROM raw.dtks_persons ORDER BY 1")
    assert loaded == [(1, "D000000"), (2, "D000001"), (3, "D000002"), (5, "D000004"), (6, "D000005"),
                      (8, "D000000"), (9, "D000001")]
    assert result["rows_read"] == 9


def test_values_land_in_the_right_columns_whatever_the_header_order(settings):  # noqa: F811
    columns = list(reversed(list(dtks_rows()[0])))
    write(settings.inbox_dir / "dtks", dtks_name(), dtks(columns=columns).replace(b"NAMA", b"nama"))
    ingest_source("dtks", settings, progress=None)
    assert _query(settings, "SELECT iddtks, nama, kode_desa FROM raw.dtks_persons WHERE _row_number = 1") == [
        ("D000000", "Warga Ke-0", DESA[0])]


def test_cp1252_text_is_decoded(settings):  # noqa: F811
    write(settings.inbox_dir / "dtks", dtks_name(), _cp1252())
    ingest_source("dtks", settings, progress=None)
    assert _query(settings, "SELECT nama FROM raw.dtks_persons WHERE _row_number = 1") == [("Siti Nur’aini Façade",)]


def test_excel_damaged_niks_are_loaded_unrepaired_and_recognised(settings):  # noqa: F811
    write(settings.inbox_dir / "dtks", dtks_name(), CASES["excel_nik_optional_loaded"].files[dtks_name()])
    ingest_source("dtks", settings, progress=None)
    niks = [v for (v,) in _query(settings, "SELECT nik FROM raw.dtks_persons ORDER BY _row_number")]
    assert niks[:4] == ["3.51001E+15", "3510011708850001.0", "3510011708850000", "351001170885001"]
    assert [check_nik(v).status for v in niks] == [
        "excel_mangled", "excel_mangled", "excel_mangled", "not_16_digits", "missing", "valid"]


def test_xlsx_numeric_nik_keeps_excel_precision(settings):  # noqa: F811
    write(settings.inbox_dir / "kabkota", f"DAFTAR_{REGION}_{PERIOD}.xlsx", _xlsx_numeric_nik())
    ingest_source("kabkota", settings, progress=None)
    [(value,)] = _query(settings, "SELECT nik FROM raw.kabkota_usulan WHERE _row_number = 1")
    assert check_nik(value).status == "excel_mangled" and "E+15" in value
    assert _query(settings, "SELECT rule, column_name FROM raw.quarantine") == [("nik_unusable", "NIK")]
    assert _query(settings, "SELECT count(*) FROM raw.kabkota_sanggahan") == [(3,)]


def test_duplicate_delivery_is_recognised_by_hash(settings):  # noqa: F811
    folder = settings.inbox_dir / "dtks"
    write(folder, dtks_name(), dtks(), mtime=1_790_000_000)
    [first] = ingest_source("dtks", settings, progress=None)
    # The same bytes dropped again later (a new file time): logged once as duplicate, nothing loaded.
    write(folder, dtks_name(), dtks(), mtime=1_790_100_000)
    [second] = ingest_source("dtks", settings, progress=None)
    [third] = ingest_source("dtks", settings, progress=None)
    assert (first["outcome"], second["outcome"], third["outcome"]) == ("accepted", "duplicate", "duplicate")
    assert _query(settings, "SELECT outcome, is_current FROM raw.delivery_log ORDER BY received_at") == [
        ("accepted", True), ("duplicate", False)]
    assert _query(settings, "SELECT count(*) FROM raw.dtks_persons") == [(6,)]


def test_corrected_redelivery_supersedes_and_keeps_history(settings):  # noqa: F811
    folder = settings.inbox_dir / "dtks"
    write(folder, dtks_name(), dtks(_rows_with(JENIS_KELAMIN=(0, "X"))), mtime=1_790_000_000)
    [first] = ingest_source("dtks", settings, progress=None)
    write(folder, dtks_name(), dtks(), mtime=1_790_100_000)  # the corrected file, same name
    [second] = ingest_source("dtks", settings, progress=None)
    assert second["outcome"] == "accepted" and second["superseded"] == [first["delivery_id"]]
    log = _query(settings, "SELECT delivery_id, outcome, is_current, superseded_by FROM raw.delivery_log "
                 "ORDER BY received_at")
    assert log == [(first["delivery_id"], "superseded", False, second["delivery_id"]),
                   (second["delivery_id"], "accepted", True, None)]
    assert _query(settings, "SELECT _delivery_id, count(*) FROM raw.dtks_persons GROUP BY 1 ORDER BY 2") == [
        (first["delivery_id"], 5), (second["delivery_id"], 6)]
    current = _query(settings, "SELECT count(*) FROM raw.dtks_persons r JOIN raw.delivery_log l "
                     "ON r._delivery_id = l.delivery_id WHERE l.is_current")
    assert current == [(6,)]


def test_rejected_correction_does_not_supersede(settings):  # noqa: F811
    folder = settings.inbox_dir / "dtks"
    write(folder, dtks_name(), dtks(), mtime=1_790_000_000)
    ingest_source("dtks", settings, progress=None)
    write(folder, dtks_name(), b"", mtime=1_790_100_000)
    [result] = ingest_source("dtks", settings, progress=None)
    assert result["outcome"] == "rejected"
    assert _query(settings, "SELECT outcome, is_current FROM raw.delivery_log ORDER BY received_at") == [
        ("accepted", True), ("rejected", False)]


def test_regsosek_keeps_parquet_types_and_both_files(settings):  # noqa: F811
    family, person = regsosek_tables()
    folder = settings.inbox_dir / "regsosek"
    write(folder, f"REGSOSEK_KELUARGA_{REGION}_{PERIOD}.parquet", parquet_bytes(family))
    write(folder, f"REGSOSEK_INDIVIDU_{REGION}_{PERIOD}.parquet", parquet_bytes(person))
    results = ingest_source("regsosek", settings, progress=None)
    assert [r["outcome"] for r in results] == ["accepted", "accepted"]
    types = dict(_query(settings, "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'raw' "
                        "AND table_name = 'regsosek_individu'"))
    assert types["tgl_lahir"] == "DATE" and types["_row_number"] == "BIGINT"
    # keluarga and individu are separate deliveries: loading one does not supersede the other.
    assert _query(settings, "SELECT count(*) FROM raw.delivery_log WHERE is_current") == [(2,)]


def test_failed_load_leaves_no_partial_rows(settings, monkeypatch):  # noqa: F811
    import terpadu.ingest.loading as loading

    write(settings.inbox_dir / "kabkota", f"DAFTAR_{REGION}_{PERIOD}.xlsx", xlsx_bytes(kabkota_sheets()))
    real = loading._check_and_insert
    calls = []

    def fail_on_third_sheet(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(loading, "_check_and_insert", fail_on_third_sheet)
    [result] = ingest_source("kabkota", settings, progress=None)
    assert result["outcome"] == "rejected" and "disk full" in result["message"]
    assert _query(settings, "SELECT (SELECT count(*) FROM raw.kabkota_usulan) + "
                  "(SELECT count(*) FROM raw.kabkota_sanggahan)") == [(0,)]

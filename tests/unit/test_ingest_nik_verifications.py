"""Ingest of Dukcapil's NIK-matching answer (PADAN_<kab>_<period>.csv), the second Dukcapil entity:
landed and loaded into raw.dukcapil_nik_verifications (not the DKB table) with lineage, a domicile in
another kab/kota is data (not a region mismatch), broken rows are quarantined, and a DKB and a PADAN
file of the same region and period live side by side."""

from __future__ import annotations

import duckdb
from terpadu.ingest import ingest_source
from terpadu.sources import contracts as c

from tests.unit.ingest_fixtures import (
    PERIOD,
    REGION,
    csv_bytes,
    dukcapil_rows,
    nik,
    settings,  # noqa: F401  (pytest fixture)
    write,
)

PADAN_FILE = f"PADAN_{REGION}_{PERIOD}.csv"


def padan_rows() -> list[dict[str, str]]:
    known = {"STATUS_PADAN": "PADAN", "NO_PROP_DOMISILI": "35", "NO_KAB_DOMISILI": "10", "NO_KEC_DOMISILI": "01",
             "NO_KEL_DOMISILI": "2001", "STATUS_HIDUP": "HIDUP", "TGL_PADAN": "2026-09-28"}
    unknown = {"STATUS_PADAN": "TIDAK PADAN", "NO_PROP_DOMISILI": "", "NO_KAB_DOMISILI": "", "NO_KEC_DOMISILI": "",
               "NO_KEL_DOMISILI": "", "STATUS_HIDUP": "", "TGL_PADAN": "2026-09-28"}
    return [
        {"NIK": nik(0), **known},
        # moved to Kota Jayapura, outside the delivering kab/kota: the answer, not a region mismatch
        {"NIK": nik(1, True), **known, "NO_PROP_DOMISILI": "91", "NO_KAB_DOMISILI": "71", "STATUS_HIDUP": "MATI"},
        {"NIK": nik(2)[:12] + "9123", **unknown},
        {"NIK": nik(3), **known, "STATUS_PADAN": "PADAN?"},  # bad_enum
        {"NIK": "3.51001E+15", **unknown},  # nik_unusable
    ]


def _query(settings, sql):  # noqa: F811
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_padan_file_loads_into_its_own_raw_table_with_lineage_and_quarantine(settings):  # noqa: F811
    write(settings.inbox_dir / "dukcapil", PADAN_FILE, csv_bytes(padan_rows(), ","))
    write(settings.inbox_dir / "dukcapil", f"DKB_{REGION}_{PERIOD}.csv", csv_bytes(dukcapil_rows(), ","))
    results = {r["original_file"]: r for r in ingest_source("dukcapil", settings, progress=None)}
    padan, dkb = results[PADAN_FILE], results[f"DKB_{REGION}_{PERIOD}.csv"]
    assert (padan["outcome"], padan["rows_read"], padan["rows_loaded"], padan["rows_quarantined"]) == (
        "accepted", 5, 3, 2)
    assert padan["quarantine_by_rule"] == {"bad_enum": 1, "nik_unusable": 1}
    assert (dkb["outcome"], dkb["rows_loaded"]) == ("accepted", 5)
    entity = c.DUKCAPIL.entity("nik_verifications")
    assert entity.raw_table == "dukcapil_nik_verifications"
    rows = _query(settings, "SELECT nik, status_padan, no_prop_domisili, no_kab_domisili, status_hidup, tgl_padan, "
                            "_source_file, _row_number, _delivery_id IS NOT NULL, _loaded_at IS NOT NULL "
                            "FROM raw.dukcapil_nik_verifications ORDER BY _row_number")
    assert rows == [
        (nik(0), "PADAN", "35", "10", "HIDUP", "2026-09-28", PADAN_FILE, 1, True, True),
        (nik(1, True), "PADAN", "91", "71", "MATI", "2026-09-28", PADAN_FILE, 2, True, True),
        (nik(2)[:12] + "9123", "TIDAK PADAN", None, None, None, "2026-09-28", PADAN_FILE, 3, True, True),
    ]
    # the DKB rows went to their own table, and the two deliveries do not supersede each other
    assert _query(settings, "SELECT count(*) FROM raw.dukcapil_persons") == [(5,)]
    log = _query(settings, "SELECT entities, region_code, is_current FROM raw.delivery_log ORDER BY entities")
    assert log == [("nik_verifications", "35.10", True), ("persons", "35.10", True)]
    quarantined = _query(settings, "SELECT entity, row_number, rule FROM raw.quarantine ORDER BY row_number")
    assert quarantined == [("nik_verifications", 4, "bad_enum"), ("nik_verifications", 5, "nik_unusable")]


def test_corrected_padan_file_supersedes_only_the_earlier_padan_file(settings):  # noqa: F811
    folder = settings.inbox_dir / "dukcapil"
    write(folder, f"DKB_{REGION}_{PERIOD}.csv", csv_bytes(dukcapil_rows(), ","))
    write(folder, PADAN_FILE, csv_bytes(padan_rows()[:3], ","), mtime=1_700_000_000)
    ingest_source("dukcapil", settings, progress=None)
    write(folder, PADAN_FILE, csv_bytes(padan_rows()[:2], ","), mtime=1_700_000_100)
    [result] = [r for r in ingest_source("dukcapil", settings, progress=None) if r["outcome"] != "duplicate"]
    assert result["outcome"] == "accepted" and result["superseded"]
    current = _query(settings, "SELECT entities, rows_loaded FROM raw.delivery_log WHERE is_current ORDER BY 1")
    assert current == [("nik_verifications", 2), ("persons", 5)]

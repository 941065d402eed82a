"""Reader pieces: file names, header matching, Excel cells."""

from __future__ import annotations

from datetime import date

import pytest
from terpadu.sources.contracts import DTKS, KABKOTA, REGSOSEK, Kind
from terpadu.sources.readers import DeliveryRejected, _cell_text, match_header, parse_file_name


def test_file_names():
    name = parse_file_name(DTKS, "DTKS_3510_202610.csv")
    assert (name.region_code, name.region_digits, name.period, name.entities) == ("35.10", "3510", "202610",
                                                                                  ("persons",))
    assert parse_file_name(REGSOSEK, "REGSOSEK_INDIVIDU_8171_202610.parquet").entities == ("individu",)
    assert parse_file_name(KABKOTA, "DAFTAR_3578_202610.xlsx").entities == ("usulan", "sanggahan", "ground_check")
    for bad, hint in [("DTKS_3510_2026.csv", "does not match"), ("DTKS_9999_202610.csv", "not a Kemendagri"),
                      ("DTKS_3510_202613.csv", "not a yyyymm")]:
        with pytest.raises(DeliveryRejected, match=hint):
            parse_file_name(DTKS, bad)


def test_header_case_insensitive_with_drift_report():
    entity = DTKS.entity("persons")
    found = [c.lower() for c in reversed(entity.column_names)] + ["Catatan"]
    positions, warnings = match_header(entity, found, "f.csv")
    assert positions["IDDTKS"] == len(entity.columns) - 1
    assert any("Catatan" in w for w in warnings)
    renamed = [("TANGGAL_LAHIR" if c == "TGL_LAHIR" else c) for c in entity.column_names]
    with pytest.raises(DeliveryRejected, match="TGL_LAHIR looks renamed to TANGGAL_LAHIR"):
        match_header(entity, renamed, "f.csv")
    with pytest.raises(DeliveryRejected, match="appears twice"):
        match_header(entity, [*entity.column_names, "nama"], "f.csv")


def test_excel_cells():
    assert _cell_text(3510011708850001.0, Kind.NIK, None) == "3.51001170885E+15"
    assert _cell_text(3510010001.0, Kind.DIGITS, None) == "3510010001"
    assert _cell_text(date(2026, 10, 1), Kind.DATE, "%d-%m-%Y") == "01-10-2026"
    assert _cell_text("  ", Kind.TEXT, None) == "  " and _cell_text("", Kind.TEXT, None) is None

"""Splink linkage step (terpadu.linkage.predict_links) on a small crafted population."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest
from terpadu.linkage import INPUT_COLUMNS, predict_links

GIVEN = ("ADI", "BUDI", "CITRA", "DEWI", "EKO", "FITRI", "GALIH", "HANA", "INDRA", "JOKO", "KARTIKA", "LINA",
         "MARDI", "NINA", "OKTA", "PUTRI", "RUDI", "SARI", "TONO", "UMI")
FAMILY = ("SANTOSO", "WIJAYA", "HALIM", "SIREGAR", "NASUTION", "PATTY", "LATUCONSINA", "RUMAGIT")


def _row(uid, dataset, name, birth, sex, desa, kk, nik, label=None, conflict=None, to_link=False, history=None):
    """One int_linkage_records row; `history` = {"regsosek_desa_codes": [...], ...} for a resident."""
    swapped = (date(birth.year, birth.day, birth.month)
               if birth.day <= 12 and birth.day != birth.month else None)
    n15 = nik[:15] if nik and nik.isdigit() and len(nik) == 16 else None
    n6 = nik[:6] if n15 else ("817101" if nik and "E+15" in nik else None)
    if conflict:
        n15 = n6 = None
    history = history or {}
    return {"unique_id": uid, "source_dataset": dataset, "source": uid.split(":")[0] if ":" in uid else "dukcapil",
            "name_normalized": name, "name_prefix": name[:3], "name_key": " ".join(sorted(name.split())),
            **{column: history.get(column) for column in ("dtks_desa_codes", "dtks_kk_numbers",
                                                          "regsosek_desa_codes", "regsosek_kk_numbers")},
            "birth_date": birth, "birth_date_swapped": swapped, "sex": sex, "desa_code": desa,
            "region_code": desa[:5], "kk_number": kk, "nik_15": n15, "nik_6": n6, "nik_label": label,
            "conflict_nik": conflict, "to_link": to_link}


@pytest.fixture(scope="module")
def population():
    """160 Dukcapil residents in two desa; every resident also listed once with a proven NIK (training)."""
    rows, residents = [], []
    for i in range(160):
        name = f"{GIVEN[i % 20]} {FAMILY[(i // 20) % 8]}"
        birth = date(1950, 1, 1) + timedelta(days=97 * i)
        sex = "P" if i % 2 else "L"
        desa = "81.71.01.1001" if i % 3 else "81.71.02.1002"
        nik = f"817101{birth.day + (40 if sex == 'P' else 0):02d}{birth.month:02d}{birth.year % 100:02d}{i + 1:04d}"
        kk = f"8171010101{i // 4:06d}"
        residents.append((nik, name, birth, sex, desa, kk))
        rows.append(_row(nik, "dukcapil", name, birth, sex, desa, kk, nik, label=nik))
        listed_name = name if i % 7 else name[:-1]  # some typos among the training records
        rows.append(_row(f"dtks:T{i}", "listed", listed_name, birth, sex, desa, kk, nik, label=nik))
    return rows, residents


def _link(rows):
    table = pa.Table.from_pylist(rows)
    assert set(INPUT_COLUMNS) <= set(table.column_names)
    return {(r["record_id"], r["dukcapil_nik"]): r for r in predict_links(table).to_pylist()}


def test_mangled_nik_links_to_the_right_resident_and_shared_nik_is_not_merged(population):
    rows, residents = population
    target_nik, name, birth, sex, desa, kk = residents[10]
    holder_nik = residents[20][0]
    other = residents[33]
    rows = [*rows,
            # Excel scientific notation: only the kecamatan survives; name has a title-free variant typo
            _row("dtks:MANGLED", "listed", name, birth, sex, desa, kk, "8.17101E+15", to_link=True),
            # someone using resident 20's NIK, but who is resident 33 by name, birth date, place, family
            _row("dtks:BORROWER", "listed", other[1], other[2], other[3], other[4], other[5], holder_nik,
                 conflict=holder_nik, to_link=True),
            # nobody at Dukcapil: a name and birth date no resident has
            _row("dtks:STRANGER", "listed", "ZULKIFLI MANUPUTTY", date(1999, 9, 29), "L", "81.71.01.1001", None,
                 None, to_link=True)]
    pairs = _link(rows)
    best = {}
    for (record, nik), pair in pairs.items():
        if pair["candidate_rank"] == 1:
            best[record] = (nik, pair["match_probability"])
    assert best["dtks:MANGLED"][0] == target_nik and best["dtks:MANGLED"][1] >= 0.95
    assert best["dtks:BORROWER"][0] == other[0] and best["dtks:BORROWER"][1] >= 0.95
    holder = pairs.get(("dtks:BORROWER", holder_nik))
    assert holder is None or holder["match_probability"] < 0.5  # the NIK's holder is never its match
    assert "dtks:STRANGER" not in best or best["dtks:STRANGER"][1] < 0.5
    # only records to link are scored; training records are not in the output
    assert all(record.split(":")[1] in {"MANGLED", "BORROWER", "STRANGER"} for record, _ in pairs)


def test_twins_without_nik_are_ambiguous(population):
    """Two residents alike on everything but the NIK: both pass, so the SQL sends the pair to review."""
    rows, residents = population
    nik, name, birth, sex, desa, kk = residents[40]
    twin_nik = nik[:12] + "9999"
    rows = [*rows, _row(twin_nik, "dukcapil", name, birth, sex, desa, kk, twin_nik, label=twin_nik),
            _row("dtks:TWIN", "listed", name, birth, sex, desa, None, None, to_link=True)]
    pairs = _link(rows)
    assert {n for (r, n) in pairs if r == "dtks:TWIN" and pairs[(r, n)]["match_probability"] >= 0.5} == {nik, twin_nik}
    assert {pairs[("dtks:TWIN", n)]["candidates"] for n in (nik, twin_nik)} == {2}


def test_nothing_to_link_returns_an_empty_table(population):
    rows, _ = population
    assert predict_links(pa.Table.from_pylist(rows)).num_rows == 0


def test_a_family_that_moved_is_found_through_where_the_other_source_knew_it(population):
    """A DTKS record with no NIK still shows the old desa and KK; Dukcapil has the new ones. The
    resident's Regsosek member (NIK-proven) remembers the old place: place and family then count for
    the pair instead of against it. The DTKS name has its words in another order."""
    rows, residents = population
    nik, name, birth, sex, _, _ = residents[50]
    old_desa, old_kk = "81.71.01.1001", "8171010101999999"
    mover = [r for r in rows if r["unique_id"] != nik]
    resident = _row(nik, "dukcapil", name, birth, sex, "81.71.02.1002", "8171020202000001", nik, label=nik,
                    history={"regsosek_desa_codes": [old_desa], "regsosek_kk_numbers": [old_kk]})
    record = _row("dtks:MOVED", "listed", " ".join(reversed(name.split())), birth, sex, old_desa, old_kk, None,
                  to_link=True)
    with_history = _link([*mover, resident, record])[("dtks:MOVED", nik)]
    assert with_history["weight_place"] > 0 and with_history["weight_family"] > 0
    assert with_history["weight_name"] > 0  # same words, other order
    forgetful = {**resident, "regsosek_desa_codes": None, "regsosek_kk_numbers": None}
    without_history = _link([*mover, forgetful, record])[("dtks:MOVED", nik)]
    assert without_history["weight_place"] < 0 and without_history["weight_family"] < 0
    assert with_history["match_weight"] > without_history["match_weight"] + 10
    # a Regsosek member is compared with the DTKS history, never with the Regsosek one
    regsosek_record = {**record, "unique_id": "regsosek:MOVED", "source": "regsosek"}
    other_source = _link([*mover, resident, regsosek_record])[("regsosek:MOVED", nik)]
    assert other_source["weight_place"] < 0 and other_source["weight_family"] < 0


def test_the_pipeline_memory_limit_reaches_the_splink_connection(population, monkeypatch):
    """TERPADU_DUCKDB_MEMORY_LIMIT (set by terpadu.transform for the dbt run) caps Splink's own DuckDB too."""
    rows, residents = population
    nik, name, birth, sex, desa, kk = residents[10]
    rows = [*rows, _row("dtks:X", "listed", name, birth, sex, desa, kk, None, to_link=True)]
    monkeypatch.setenv("TERPADU_DUCKDB_MEMORY_LIMIT", "1MB")
    with pytest.raises(Exception, match="(?i)out of memory"):
        _link(rows)
    monkeypatch.setenv("TERPADU_DUCKDB_MEMORY_LIMIT", "1GB")
    assert ("dtks:X", nik) in _link(rows)

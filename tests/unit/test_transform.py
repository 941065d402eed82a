"""dbt build of the whole project on a tiny crafted raw warehouse, with exact expected outcomes.

One build (module fixture, ~30 s) serves every read-only test; the tests that break data on purpose
run last on the same warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date

import duckdb
import pytest
from terpadu import runs
from terpadu.settings import Settings
from terpadu.transform import MARTS, TransformError, build, export_marts, testing

KEY = "unit-test-key-0123456789abcdef"
PILOTS = ("kode_kabupaten,nama,kode_provinsi,nama_provinsi,basis\n"
          "81.71,Kota Ambon,81,Maluku,reported\n82.71,Kota Ternate,82,Maluku Utara,reported\n"
          "18.72,Kota Metro,18,Lampung,reported\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    state = tmp_path_factory.mktemp("state")
    pilots = state / "pilots.csv"
    pilots.write_text(PILOTS)
    saved = {k: os.environ.get(k) for k in ("TERPADU_STATE_DIR", "TERPADU_PILOT_REGIONS",
                                            "TERPADU_NIK_HASH_KEY", "TERPADU_WAREHOUSE")}
    os.environ.update(TERPADU_STATE_DIR=str(state), TERPADU_PILOT_REGIONS=str(pilots),
                      TERPADU_NIK_HASH_KEY=KEY)
    os.environ.pop("TERPADU_WAREHOUSE", None)
    settings = Settings.from_env()
    settings.warehouse_path.parent.mkdir(parents=True)
    deliveries, people = testing.tiny_dataset()
    with duckdb.connect(str(settings.warehouse_path)) as con:
        testing.create_raw_schema(con)
        testing.write_deliveries(con, deliveries)
    lines: list[str] = []
    summary = build(settings, progress=lines.append)
    yield settings, summary, people, lines
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def query(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_build_summary_is_complete_and_serialisable(built):
    settings, summary, _, lines = built
    json.dumps(summary)
    assert summary["success"] and summary["nodes_failed"] == 0
    names = {n["name"] for n in summary["nodes"]}
    assert set(MARTS) <= names
    assert {"test_nik_status_macro_every_reason", "test_desil_boundaries_and_ties",
            "test_programme_eligibility_edges", "assert_desil_tenths_balanced"} <= names
    assert any("dim_persons" in line for line in lines)
    # the repo stays clean: dbt's target lives under the state dir
    assert (settings.state_dir / "dbt" / "target" / "manifest.json").exists()
    schemas = {r[0] for r in query(settings, "select distinct table_schema from information_schema.tables")}
    assert {"staging", "intermediate", "marts"} <= schemas and not any(s.startswith("main_") for s in schemas)


def test_flags_exactly_the_planted_people(built):
    settings, _, people, _ = built
    rows = query(settings, "select f.full_name, f.flag_type from marts.fct_person_flags f")
    by_name = {p["name"]: label for label, p in people.items()}
    found: dict[str, set] = {}
    for name, flag in rows:
        found.setdefault(by_name[name], set()).add(flag)
    assert found == testing.PLANTED


def test_moved_out_flag_is_in_the_dtks_regions_worklist(built):
    settings, _, _, _ = built
    sql = "select region_code from marts.fct_person_flags where flag_type = 'moved_out'"
    (region,), = query(settings, sql)
    assert region == "81.71"
    sql = "select region_code from marts.dim_persons where full_name = 'BUDI HEAD F03'"
    (dk_region,), = query(settings, sql)
    assert dk_region == "82.71"  # Dukcapil address wins in dim_persons


def test_persons_reconcile_with_inputs(built):
    settings, _, people, _ = built
    rows = query(settings, "select full_name, nik, is_in_dukcapil, is_in_dtks, is_in_regsosek, nik_status "
                           "from marts.dim_persons")
    assert len(rows) == len(people) == 36  # 30 family members + 6 DTKS-only records, none merged wrongly
    assert sum(r[2] for r in rows) == 30 and sum(r[3] for r in rows) == 22 and sum(r[4] for r in rows) == 30
    names = {r[0] for r in rows}
    assert "SUPERSEDED RECORD" not in names  # superseded delivery is not integrated
    shared = [r for r in rows if r[1] == people["F07-child"]["nik"]]
    assert len(shared) == 2  # one NIK, two people: not merged
    # a DTKS name with titles still matched Dukcapil (one person, in all three sources)
    head = [r for r in rows if r[0] == "BUDI HEAD F01"]
    assert head and head[0][2:5] == (True, True, True)


def test_desil_tenths_balanced_and_ordered(built):
    settings, _, _, _ = built
    rows = query(settings, "select family_id, desil, members, top_factors, pmt_weights_version "
                           "from marts.dim_families order by family_id")
    assert [(f, d) for f, d, *_ in rows] == [(f"F{k:02d}", k) for k in range(1, 11)]
    assert all(m == 3 for _, _, m, _, _ in rows)
    assert all(v == "2026.1" for *_, v in rows)
    assert rows[0][3] and len(rows[0][3].split(", ")) == 3
    counts = query(settings, "select desil, count(*) from marts.dim_persons where desil is not null "
                             "group by desil order by desil")
    assert counts == [(d, 3) for d in range(1, 11)]


def test_readiness_row_per_pilot_region(built):
    settings, _, _, _ = built
    rows = {r[0]: r for r in query(settings, "select region_code, persons_integrated, persons_dukcapil, "
                                             "readiness_score, dead_recipients, flags_total, region_name "
                                             "from marts.fct_region_readiness")}
    assert set(rows) == {"81.71", "82.71", "18.72"}
    assert rows["18.72"][1:6] == (0, 0, 0.0, 0, 0) and rows["18.72"][6] == "Kota Metro"
    assert rows["82.71"][4] == 1  # the dead recipient
    assert rows["81.71"][5] + rows["82.71"][5] == sum(len(v) for v in testing.PLANTED.values())
    assert 0 < rows["81.71"][3] < rows["82.71"][3] <= 1  # Ambon holds the bad NIKs


def test_readiness_ground_check_completion_of_flagged_persons(built):
    settings, _, _, _ = built
    expected = dict(query(settings, """
        select f.region_code, count(distinct f.person_id) filter (where g.person_id is not null)
                              / count(distinct f.person_id)
        from marts.fct_person_flags f
        left join marts.fct_ground_checks g on g.person_id = f.person_id
        group by all"""))
    rows = dict(query(settings, "select region_code, ground_check_completion_rate from marts.fct_region_readiness"))
    assert rows["18.72"] is None  # no flagged person: no rate, not a zero
    assert expected and all(rows[code] == pytest.approx(rate) for code, rate in expected.items())
    assert all(0 <= rate <= 1 for rate in rows.values() if rate is not None)


def test_analyst_persons_has_no_clear_nik(built):
    settings, _, people, _ = built
    sql = ("select column_name from information_schema.columns "
           "where table_schema = 'marts' and table_name = 'analyst_persons'")
    columns = {r[0] for r in query(settings, sql)}
    assert "nik" not in columns and "full_name" not in columns and "birth_date" not in columns
    niks = {p["nik"] for p in people.values() if p["nik"]}
    values = {v for row in query(settings, "select * from marts.analyst_persons") for v in row}
    assert not niks & {str(v) for v in values}
    nik = people["F05-head"]["nik"]
    expected = hashlib.sha256(f"{KEY}nik:{nik}".encode()).hexdigest()
    assert query(settings, f"select nik_hash from marts.dim_persons where nik = '{nik}'") == [(expected,)]
    assert (expected,) in query(settings, "select nik_hash from marts.analyst_persons")


def test_export_marts_writes_parquet_and_sets_current(built):
    settings, _, _, _ = built
    out = export_marts("20261005T000000Z", settings)
    json.dumps(out)
    assert set(out["tables"]) == {*MARTS, "deliveries"}
    # the tiny dataset has no uncertain linkage pair and a single period: nothing to review or compare
    empty = {"fct_clerical_review", "fct_family_changes"}
    for name, table in out["tables"].items():
        (rows,), = duckdb.sql(f"select count(*) from read_parquet('{table['path']}')").fetchall()
        assert rows == table["rows"]
        assert (rows == 0) == (name in empty), name
    assert runs.current_run_id(settings) == "20261005T000000Z"


def test_build_passes_the_period_and_as_of_date(built):
    settings, summary, _, lines = built
    assert summary["vars"] == {"period": "202610", "as_of_date": "2026-10-01"}
    assert any("period 202610, as of 2026-10-01" in line for line in lines)


def test_usulan_outcomes(built):
    settings, _, people, _ = built
    rows = dict(query(settings, "select nik, outcome from marts.fct_usulan"))
    nik = {label: people[label]["nik"] for label in ("F01-head", "F09-head")}
    assert rows.pop("8.17101E+15") == "nik_tidak_valid"
    assert rows.pop(nik["F01-head"]) == "sudah_terdaftar"
    assert rows.pop(nik["F09-head"]) == "baru_cocok_dukcapil"
    assert list(rows.values()) == ["nik_tidak_ditemukan"]
    (reason,), = query(settings, f"select outcome_reason from marts.fct_usulan where nik = '{nik['F09-head']}'")
    assert reason.endswith("desil 9: tidak memenuhi syarat program apa pun")


def test_sanggahan_age_to_the_period_start_and_sla(built):
    settings, _, people, _ = built
    rows = {r[0]: r[1:] for r in query(
        settings, "select sanggahan_id, days_open, is_open, is_past_sla, sla_days, as_of_date, person_id is not null, "
                  "region_code from marts.fct_sanggahan")}
    as_of = date(2026, 10, 1)
    assert rows["SGH-LATE-202610"] == (20, True, True, 14, as_of, True, "81.71")
    assert rows["SGH-FRESH-202610"] == (5, True, False, 14, as_of, True, "82.71")  # F03-head lives in Ternate now
    assert rows["SGH-DONE-202610"] == (9, False, False, 14, as_of, True, "81.71")
    readiness = dict(query(settings, "select region_code, sanggahan_past_sla from marts.fct_region_readiness"))
    assert readiness == {"81.71": 1, "82.71": 0, "18.72": 0}


def test_ground_checks_wait_for_the_next_period(built):
    settings, _, _, _ = built
    rows = query(settings, "select result, applies_from_period, application_status, is_applied, effect "
                           "from marts.fct_ground_checks order by ground_check_id")
    assert len(rows) == len(testing.GROUND_CHECKS)
    for result, applies_from, status, applied, effect in rows:
        assert applies_from == "202611" and not applied
        assert status == ("tanpa_efek" if result == "TIDAK DITEMUKAN" else "menunggu_periode")
        assert effect
    # nothing applied: the planted flags are exactly as before (test_flags_exactly_the_planted_people)
    (applied, total), = query(settings, "select sum(ground_checks_applied), sum(ground_checks_total) "
                                        "from marts.fct_region_readiness")
    assert (applied, total) == (0, len(testing.GROUND_CHECKS))


def test_survivorship_records_each_attributes_source(built):
    settings, _, people, _ = built
    rows = {r[0]: r[1:] for r in query(
        settings, "select full_name, name_source, nik_source, birth_date_source, address_source, "
                  "life_status_source, family_source, socio_economic_source, programme_receipt_source "
                  "from marts.dim_persons")}
    # in all three sources: Dukcapil wins identity, address and life status; Regsosek the family
    assert rows[people["F01-head"]["name"]] == ("dukcapil", "dukcapil", "dukcapil", "dukcapil", "dukcapil",
                                                "regsosek", "regsosek", "dtks")
    # only in DTKS: everything from the DTKS record, life status unknown, no family
    assert rows[people["V-missing"]["name"]] == ("dtks", None, "dtks", "dtks", None, None, None, "dtks")
    families = dict(query(settings, "select family_id, kk_number_source from marts.dim_families"))
    assert set(families.values()) == {"dukcapil"}


# --- destructive: these change the warehouse, so they run last -------------------------------------
def test_data_test_fails_on_duplicate_person(built):
    settings, _, _, _ = built
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("insert into marts.dim_persons select * from marts.dim_persons limit 1")
    with pytest.raises(TransformError) as failure:
        build(settings, select="dim_persons,resource_type:test", progress=lambda _: None)
    failed = {f["name"] for f in failure.value.summary["failures"]}
    assert "unique_dim_persons_person_id" in failed


def test_build_fails_and_stops_on_bad_raw_data(built):
    settings, _, _, _ = built
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("insert into raw.dukcapil_persons (nik, nama_lgkp, _delivery_id) "
                    "values (null, 'TANPA NIK', 'dukcapil-ambon')")
    with pytest.raises(TransformError, match="not_null_stg_dukcapil__persons_nik") as failure:
        build(settings, select="stg_dukcapil__persons+", progress=lambda _: None)
    summary = failure.value.summary
    assert summary["nodes_skipped"] > 0  # downstream marts were not rebuilt on bad data


def test_no_model_plans_a_nested_loop_join(built):
    """Every join of the project is an equi-join DuckDB can hash. A left-side predicate next to the
    key in a LEFT JOIN's ON clause silently turns it into a nested-loop join: seconds on this tiny
    data, but it took the NIK match from 5 s to over 35 minutes at 1 M persons."""
    # persons x the programme_rules seed (one row per programme), filtered: linear in persons
    intended = {"fct_person_flags"}
    settings = built[0]
    compiled = settings.state_dir / "dbt" / "target" / "compiled" / "terpadu" / "models"
    models = [p for p in compiled.rglob("*.sql") if not p.parent.name.endswith(".yml")]
    assert len(models) > 20
    slow = {}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        for path in models:
            plan = "\n".join(row[1] for row in con.execute("explain " + path.read_text()).fetchall())
            operators = {op for op in ("NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN") if op in plan}
            if operators and path.stem not in intended:
                slow[path.stem] = sorted(operators)
    assert not slow, f"models planned with nested-loop joins: {slow}"


def test_the_dbt_run_states_a_duckdb_memory_limit(monkeypatch, tmp_path):
    """profiles.yml reads TERPADU_DUCKDB_MEMORY_LIMIT: the operator's value, else DuckDB's default,
    in a form DuckDB accepts (the Splink step opens its connection with the same value)."""
    from terpadu.transform import dbt_env

    monkeypatch.setenv("TERPADU_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("TERPADU_NIK_HASH_KEY", KEY)
    monkeypatch.setenv("TERPADU_DUCKDB_MEMORY_LIMIT", "3GB")
    assert dbt_env(Settings.from_env())["TERPADU_DUCKDB_MEMORY_LIMIT"] == "3GB"
    monkeypatch.delenv("TERPADU_DUCKDB_MEMORY_LIMIT")
    default = dbt_env(Settings.from_env())["TERPADU_DUCKDB_MEMORY_LIMIT"]
    with duckdb.connect(config={"memory_limit": default}) as con:
        stated = con.execute("select current_setting('memory_limit')").fetchone()[0]
    with duckdb.connect() as con:
        own = con.execute("select current_setting('memory_limit')").fetchone()[0]
    # DuckDB prints the limit rounded to 0.1 ('18.8 GiB' reads back as 18.7 GiB)
    number, unit = stated.split()
    own_number, own_unit = own.split()
    assert unit == own_unit and abs(float(number) - float(own_number)) < 0.15

"""History across periods: the tiny dataset built for 202610, then its 202611 deliveries built with
TERPADU_PERIOD=202611 on the same warehouse. The snapshot records a version per family, programme and
period; fct_family_changes names what changed and why; ground checks reported in 202610 apply in 202611.

202611 differs from 202610 in: family F01 became the richest (everyone else one desil down), F04 no
longer receives PKH per DTKS, and the 202610 ground checks (testing.GROUND_CHECKS) now apply.
"""

from __future__ import annotations

import duckdb
import pytest
from terpadu.settings import Settings
from terpadu.transform import build, testing

from tests.unit.test_transform import KEY, PILOTS

RICHEST = {"LUAS_LANTAI": 400, "JENIS_LANTAI": "5", "JENIS_DINDING": "4", "JENIS_ATAP": "4",
           "SUMBER_AIR_MINUM": "4", "SUMBER_PENERANGAN": "3", "DAYA_TERPASANG": 4400, "BAHAN_BAKAR_MASAK": "4",
           "FASILITAS_BAB": "3", "JUMLAH_KAMAR": 6, **{a: 1 for a in testing.ASSETS}}


def _period_202611() -> list[testing.Delivery]:
    deliveries, _ = testing.tiny_dataset("202611")
    for delivery in deliveries:
        for row in delivery.rows.get("regsosek_keluarga", []):
            if row["ID_KELUARGA"] == "F01":
                row.update(RICHEST)
        for row in delivery.rows.get("dtks_persons", []):
            if row["IDDTKS"].startswith("DT-F04-"):
                row["PKH"] = "N"
    return deliveries


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:
        state = tmp_path_factory.mktemp("history")
        pilots = state / "pilots.csv"
        pilots.write_text(PILOTS)
        env.setenv("TERPADU_STATE_DIR", str(state))
        env.setenv("TERPADU_PILOT_REGIONS", str(pilots))
        env.setenv("TERPADU_NIK_HASH_KEY", KEY)
        env.setenv("TERPADU_PERIOD", "202610")
        for name in ("TERPADU_WAREHOUSE", "TERPADU_AS_OF_DATE"):
            env.delenv(name, raising=False)
        first = Settings.from_env()
        first.warehouse_path.parent.mkdir(parents=True)
        deliveries, people = testing.tiny_dataset("202610")
        with duckdb.connect(str(first.warehouse_path)) as con:
            testing.create_raw_schema(con)
            testing.write_deliveries(con, deliveries)
        build(first, progress=lambda _: None)
        before = {
            "changes": query(first, "select count(*) from marts.fct_family_changes")[0][0],
            "versions": query(first, "select count(*) from snapshots.snp_family_programmes")[0][0],
        }
        with duckdb.connect(str(first.warehouse_path)) as con:
            testing.write_deliveries(con, _period_202611())
        env.setenv("TERPADU_PERIOD", "202611")
        second = Settings.from_env()
        summary = build(second, progress=lambda _: None)
        yield second, people, before, summary


def query(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_first_period_has_history_but_no_changes(history):
    _, _, before, summary = history
    assert before == {"changes": 0, "versions": 10 * 4}  # 10 families x 4 programmes, nothing to compare yet
    assert summary["vars"] == {"period": "202611", "as_of_date": "2026-11-01"}
    assert "snp_family_programmes" in {n["name"] for n in summary["nodes"]}  # dbt build runs the snapshot


def test_new_period_integrates_only_its_own_deliveries(history):
    settings, people, _, _ = history
    (persons,), = query(settings, "select count(*) from marts.dim_persons")
    assert persons == len(people) == 36  # the 202610 registers are not integrated a second time
    (families, period), = query(settings, "select count(*), any_value(period) from marts.dim_families")
    assert (families, period) == (10, "202611")


def test_snapshot_versions_each_family_programme_per_period(history):
    settings, _, _, _ = history
    rows = query(settings, "select period, count(*), count(*) filter (where dbt_valid_to is null) "
                           "from snapshots.snp_family_programmes group by period order by period")
    assert rows == [("202610", 40, 0), ("202611", 40, 40)]


def test_desil_changes_between_periods(history):
    settings, _, _, _ = history
    rows = query(settings, "select family_id, period_from, period_to, desil_from, desil_to, direction, reason "
                           "from marts.fct_family_changes where programme is null order by family_id")
    assert rows[0] == ("F01", "202610", "202611", 1, 10, "naik", "desil naik dari 1 ke 10")
    assert [(r[0], r[3], r[4], r[5]) for r in rows[1:]] == [
        (f"F{k:02d}", k, k - 1, "turun") for k in range(2, 11)]
    assert rows[4][6] == "desil turun dari 5 ke 4"


def test_programme_changes_with_their_reason(history):
    settings, _, _, _ = history
    rows = query(settings, "select family_id, programme, change, change_basis, direction, reason "
                           "from marts.fct_family_changes where programme is not null "
                           "order by family_id, change_basis, programme")
    tidak_layak = "GC-202610-002"
    assert rows == [
        # F01: the ground check found the family not eligible, whatever its desil
        *[("F01", p, "keluar", "kelayakan", "naik", f"keluar {p}: ground check: TIDAK LAYAK ({tidak_layak})")
          for p in ("BPNT", "PBI", "PIP", "PKH")],
        # F04: DTKS stopped paying PKH
        ("F04", "PKH", "keluar", "penerimaan", "turun", "berhenti menerima PKH menurut DTKS periode 202611"),
        # F05 and F06 moved into the programmes' desil ranges
        ("F05", "PIP", "masuk", "kelayakan", "turun", "masuk PIP: desil turun dari 5 ke 4"),
        ("F05", "PKH", "masuk", "kelayakan", "turun", "masuk PKH: desil turun dari 5 ke 4"),
        ("F06", "BPNT", "masuk", "kelayakan", "turun", "masuk BPNT: desil turun dari 6 ke 5"),
        ("F06", "PBI", "masuk", "kelayakan", "turun", "masuk PBI: desil turun dari 6 ke 5"),
        # F10: desil 9 is outside PKH, but the LAYAK visit confirmed its PKH receipt
        ("F10", "PKH", "masuk", "kelayakan", "turun", "masuk PKH: ground check: LAYAK (GC-202610-004)"),
    ]


def test_ground_checks_apply_in_the_next_period(history):
    settings, people, _, _ = history
    checks = query(settings, "select ground_check_id, application_status from marts.fct_ground_checks "
                             "order by ground_check_id")
    assert checks == [
        ("GC-202610-001", "diterapkan"), ("GC-202610-002", "diterapkan"), ("GC-202610-003", "diterapkan"),
        ("GC-202610-004", "diterapkan"), ("GC-202610-005", "tanpa_efek"),
        *[(f"GC-202611-{n:03d}", "menunggu_periode" if n != 5 else "tanpa_efek") for n in range(1, 6)],
    ]
    rows = {r[0]: r[1:] for r in query(
        settings, "select full_name, is_alive, life_status_source, is_moved_per_ground_check, "
                  "eligibility_check_result from marts.dim_persons")}
    name = {label: people[label]["name"] for label in people}
    assert rows[name["F05-spouse"]] == (False, "ground_check", False, None)
    assert rows[name["F05-head"]] == (True, "dukcapil", True, None)
    assert rows[name["F01-head"]][3] == rows[name["F01-spouse"]][3] == "TIDAK LAYAK"
    assert rows[name["F10-head"]][3] == "LAYAK"
    applied = dict(query(settings, "select region_code, ground_checks_applied from marts.fct_region_readiness"))
    assert applied == {"81.71": 3, "82.71": 1, "18.72": 0}


def test_flags_follow_the_applied_ground_checks(history):
    settings, people, _, _ = history
    flags: dict[str, dict[str, str]] = {}
    for name, flag_type, reason in query(settings, "select full_name, flag_type, reason from marts.fct_person_flags"):
        flags.setdefault(name, {})[flag_type] = reason
    name = {label: people[label]["name"] for label in people}
    assert flags[name["F05-spouse"]]["dead_recipient"].startswith("reported dead by ground check GC-202610-001")
    assert "PINDAH" in flags[name["F05-head"]]["moved_out"]
    for member in ("F01-head", "F01-spouse", "F01-child"):
        assert "TIDAK LAYAK" in flags[name[member]]["inclusion_error"]
    assert "inclusion_error" not in flags.get(name["F10-head"], {})  # was planted in 202610; LAYAK confirms it


def test_rerun_of_the_same_period_adds_no_version(history):
    settings, _, _, _ = history
    build(settings, select="snp_family_programmes", progress=lambda _: None)
    (versions,), = query(settings, "select count(*) from snapshots.snp_family_programmes")
    assert versions == 80

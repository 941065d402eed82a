"""`terpadu evaluate` on a tiny crafted warehouse and ground truth, with exact expected metrics."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from terpadu.evaluate import EvaluationError, evaluate, format_table
from terpadu.evaluate.cli import register
from terpadu.settings import Settings

# Three true persons (1, 2, 3). Records: Dukcapil DK rows 1-3, DTKS DT rows 1-3, Regsosek RS rows 1-2.
# Plus persons 4-6 for nik_not_in_dukcapil, each with one DTKS record and no Dukcapil record: 4 carries
# their own NIK, which the verification file PV answers (PADAN: Dukcapil knows it, no flag); 5 carries
# their own NIK and no verification answers it (true); 6's NIK was planted unregistered (true) and
# answered TIDAK PADAN. Integration: E = {DT4}, F = {DT5}, G = {DT6}.
# The integration: A = {DK1, DT1, RS1} (right), B = {DK2, DT2, DT3} (DT3 of person 3 merged wrongly),
# C = {DK3}, D = {RS2} (person 3's Regsosek record left apart).
#   true pairs: p1 3, p2 1, p3 3 = 7; predicted pairs: A 3 + B 3 = 6; right: A 3 + (DK2, DT2) 1 = 4.
TRUTH_ROWS = [("dukcapil", "persons", "DK.csv", 1, 1), ("dukcapil", "persons", "DK.csv", 2, 2),
              ("dukcapil", "persons", "DK.csv", 3, 3), ("dtks", "persons", "DT.csv", 1, 1),
              ("dtks", "persons", "DT.csv", 2, 2), ("dtks", "persons", "DT.csv", 3, 3),
              ("regsosek", "individu", "RS.parquet", 1, 1), ("regsosek", "individu", "RS.parquet", 2, 3),
              ("kabkota", "usulan", "X.xlsx", 1, 1),  # not a person record of the linkage
              ("regsosek", "keluarga", "RK.parquet", 1, None), ("regsosek", "keluarga", "RK.parquet", 2, None),
              ("regsosek", "keluarga", "RK.parquet", 3, None),  # households of families 10, 20, 30
              ("dtks", "persons", "DT.csv", 4, 4), ("dtks", "persons", "DT.csv", 5, 5), ("dtks", "persons", "DT.csv", 6, 6),
              # the verification answers: row 1 PADAN (holder 4), row 2 TIDAK PADAN (no holder)
              ("dukcapil", "nik_verifications", "PV.csv", 1, 4), ("dukcapil", "nik_verifications", "PV.csv", 2, None)]
FAMILIES = [10, 20, 30, 10, 20, 30, 10, 30, 10, 10, 20, 30, 40, 50, 60, 40, None]
PREDICTED = {"DK1": "A", "DT1": "A", "RS1": "A", "DK2": "B", "DT2": "B", "DT3": "B", "DK3": "C", "RS2": "D",
             "DT4": "E", "DT5": "F", "DT6": "G"}


@pytest.fixture
def crafted(tmp_path, monkeypatch):
    monkeypatch.setenv("TERPADU_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("TERPADU_WAREHOUSE", raising=False)
    settings = Settings.from_env()
    truth = settings.ground_truth_dir
    truth.mkdir(parents=True)
    cols = list(zip(*TRUTH_ROWS, strict=True))
    pq.write_table(pa.table({"source": cols[0], "entity": cols[1], "file": cols[2],
                             "row_number": pa.array(cols[3], pa.int64()),
                             "person_id": pa.array(cols[4], pa.int64()),
                             "family_id": pa.array(FAMILIES, pa.int64())}),
                   truth / "rows.parquet")
    # person 1 dead, paid in DTKS; person 3 moved (DTKS row 3); welfare: person 1 poorest
    pq.write_table(pa.table({"person_id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
                             "family_id": pa.array([10, 20, 30, 40, 50, 60], pa.int64()),
                             "alive": [False, True, True, True, True, True],
                             "moved": [False, False, True, True, True, False],
                             # persons 4-6 between 1-3 in expenditure: 1, 2, 3 keep welfare desils 4, 7, 10
                             "pce": [100.0, 200.0, 300.0, 50.0, 150.0, 250.0]}), truth / "persons.parquet")
    pq.write_table(pa.table({"source": ["dtks"] * 4, "entity": ["persons"] * 4,
                             "file": ["DT.csv"] * 4, "row_number": pa.array([1, 1, 3, 6], pa.int64()),
                             "person_id": pa.array([1, 1, 3, 6], pa.int64()),
                             "family_id": pa.array([10, 10, 30, 60], pa.int64()),
                             "defect": ["dead_listed", "dead_paid", "moved_region", "nik_unregistered"],
                             "detail": [None, None, None, None]}),
                   truth / "defects.parquet")
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"create schema {schema}")
        con.execute("create table staging.stg_dukcapil__persons as select * from (values "
                    "('DK.csv', 1, 'DK1'), ('DK.csv', 2, 'DK2'), ('DK.csv', 3, 'DK3')) t(_source_file, _row_number, nik)")
        con.execute("create table staging.stg_dtks__persons as select * from (values "
                    "('DT.csv', 1, 'DT1', true, false, false), ('DT.csv', 2, 'DT2', false, false, false), "
                    "('DT.csv', 3, 'DT3', false, false, false), ('DT.csv', 4, 'DT4', false, false, false), "
                    "('DT.csv', 5, 'DT5', false, false, false), ('DT.csv', 6, 'DT6', false, false, false)) "
                    "t(_source_file, _row_number, dtks_person_id, receives_pkh, receives_bpnt, receives_pbi)")
        con.execute("create table staging.stg_dukcapil__nik_verifications as select * from (values "
                    "('PV.csv', 1, 'PADAN'), ('PV.csv', 2, 'TIDAK PADAN')) t(_source_file, _row_number, verification_status)")
        con.execute("create table staging.stg_regsosek__individu as select * from (values "
                    "('RS.parquet', 1, 'RS1'), ('RS.parquet', 2, 'RS2')) t(_source_file, _row_number, regsosek_person_id)")
        # the registry's desil of each household: 10 → 2, 20 → 7, 30 → 3
        con.execute("create table staging.stg_regsosek__keluarga as select * from (values "
                    "('RK.parquet', 1, 'K1'), ('RK.parquet', 2, 'K2'), ('RK.parquet', 3, 'K3')) "
                    "t(_source_file, _row_number, regsosek_family_id)")
        con.execute("create table intermediate.int_families_ranked as select * from (values "
                    "('K1', 2), ('K2', 7), ('K3', 3)) t(family_id, desil)")
        source = {"DK": "dukcapil", "DT": "dtks", "RS": "regsosek"}
        rows = [(source[r[:2]], r, p) for r, p in PREDICTED.items()]
        con.execute("create table intermediate.int_person_source_records (source varchar, record_id varchar, "
                    "person_id varchar)")
        con.executemany("insert into intermediate.int_person_source_records values (?, ?, ?)", rows)
        con.execute("create table marts.dim_persons as select * from (values ('A'), ('B'), ('C'), ('D'), ('E'), "
                    "('F'), ('G')) t(person_id)")
        # A dead recipient (right); B moved_out (wrong: B stands for person 2, the mover is person 3);
        # nik_not_in_dukcapil: E (wrong: Dukcapil knows the NIK) and G (right); F missed
        con.execute("create table marts.fct_person_flags as select * from (values "
                    "('A', 'dead_recipient', 'died'), ('B', 'moved_out', 'moved'), "
                    "('E', 'nik_not_in_dukcapil', 'not in the pull'), ('G', 'nik_not_in_dukcapil', 'tidak padan')) "
                    "t(person_id, flag_type, reason)")
    return settings


def test_pairwise_linkage_precision_and_recall_are_exact(crafted):
    report = evaluate(crafted)
    json.dumps(report)
    assert report["records"] == {"delivered": 11, "not_integrated": 0, "integrated_without_truth": 0}
    link = report["linkage"]
    assert (link["true_positive"], link["predicted"], link["actual"]) == (4, 6, 7)
    assert link["precision"] == pytest.approx(4 / 6) and link["recall"] == pytest.approx(4 / 7)
    # DTKS x Dukcapil: true (1,1) (2,2) (3,3); predicted (DT1,DK1) (DT2,DK2) (DT3,DK2)
    assert report["linkage_by_sources"]["dtks-dukcapil"]["true_positive"] == 2
    assert report["linkage_by_sources"]["dtks-dukcapil"]["predicted"] == 3
    assert report["linkage_by_sources"]["dtks-dukcapil"]["actual"] == 3
    assert not report["meets_targets"]["linkage"]


def test_flag_precision_and_recall_use_the_true_person(crafted):
    flags = evaluate(crafted)["flags"]
    assert flags["dead_recipient"] == {"true_positive": 1, "predicted": 1, "actual": 1, "precision": 1.0,
                                       "recall": 1.0}
    assert (flags["moved_out"]["true_positive"], flags["moved_out"]["predicted"], flags["moved_out"]["actual"]) \
        == (0, 1, 1)
    # registry desil of the true families: person 1 → 2, 2 → 7, 3 → 3. Person 1 receives PKH (desil
    # 1-4): no inclusion error; person 3 (alive, desil 3) receives nothing: an exclusion error nobody
    # flagged; person 2 is above every range.
    assert flags["inclusion_error"]["actual"] == 0
    assert (flags["exclusion_error"]["actual"], flags["exclusion_error"]["predicted"],
            flags["exclusion_error"]["recall"]) == (1, 0, 0.0)
    assert flags["nik_shared"]["predicted"] == 0 and flags["nik_shared"]["precision"] is None


def test_nik_not_in_dukcapil_truth_follows_the_verification(crafted):
    # persons 4-6 have no Dukcapil record; 4's NIK is answered PADAN (not true), 5's is not answered
    # (true), 6 carries a planted unregistered NIK (true). Flagged: E (person 4, wrong), G (person 6).
    report = evaluate(crafted, misses=5)
    assert report["flags"]["nik_not_in_dukcapil"] == {"true_positive": 1, "predicted": 2, "actual": 2,
                                                      "precision": 0.5, "recall": 0.5}
    misses = report["misses"]["nik_not_in_dukcapil"]
    assert [m["true_id"] for m in misses["false_positives"]] == [4]
    assert [m["true_id"] for m in misses["false_negatives"]] == [5]


def test_without_verifications_every_absent_own_nik_is_not_in_dukcapil(crafted):
    # a warehouse without the verification staging: person 4 counts as not in Dukcapil again
    with duckdb.connect(str(crafted.warehouse_path)) as con:
        con.execute("drop table staging.stg_dukcapil__nik_verifications")
    counts = evaluate(crafted)["flags"]["nik_not_in_dukcapil"]
    assert (counts["true_positive"], counts["predicted"], counts["actual"]) == (2, 2, 3)


def test_targeting_compares_the_rules_with_the_welfare_desil(crafted):
    # welfare desil over 6 persons by true expenditure: 4 → 2, 1 → 4, 5 → 5, 2 → 7, 6 → 9, 3 → 10: of
    # 1-3 nobody alive is inside a range, so the registry's exclusion error for person 3 is a targeting
    # miss of the proxy; persons 4 (desil 2) and 5 (desil 5) receive nothing: welfare exclusion errors
    report = evaluate(crafted, misses=5)
    targeting = report["targeting"]
    assert targeting["exclusion_error"]["actual"] == 2 and targeting["inclusion_error"]["actual"] == 0
    assert targeting["exclusion_error"]["predicted"] == 0
    assert "targeting" in format_table(evaluate(crafted))


def test_misses_list_the_persons_behind_a_missed_flag(crafted):
    report = evaluate(crafted, misses=5)
    moved = report["misses"]["moved_out"]
    # B stands for person 2 (wrongly flagged); the mover, person 3, was not flagged
    assert [(m["true_id"], m["flagged_reason"]) for m in moved["false_positives"]] == [(2, "moved")]
    assert [m["true_id"] for m in moved["false_negatives"]] == [3]
    assert moved["false_negatives"][0]["planted"] == "dtks:moved_region"
    assert [m["true_id"] for m in report["misses"]["exclusion_error"]["false_negatives"]] == [3]
    assert "misses" not in evaluate(crafted)


def test_cli_prints_the_table_and_writes_json(crafted, tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    out = tmp_path / "eval.json"
    args = parser.parse_args(["evaluate", "--output", str(out), "--check"])
    assert args.func(args) == 3  # targets missed
    printed = capsys.readouterr().out
    assert "linkage (pairs)" in printed and "0.6667" in printed and "flag moved_out" in printed
    assert json.loads(out.read_text())["linkage"]["predicted"] == 6
    assert format_table(evaluate(crafted)).count("MISSED") >= 2


def test_missing_ground_truth_is_a_clear_error(crafted):
    for path in crafted.ground_truth_dir.iterdir():
        path.unlink()
    with pytest.raises(EvaluationError, match="terpadu simulate"):
        evaluate(crafted)

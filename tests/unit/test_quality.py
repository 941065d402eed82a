"""The quality gate: each error rule holds the region that breaks it, warnings never do, results are
recorded, and the committed GX suites match the code."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil

import duckdb
import pytest
from terpadu.publish import publish_region
from terpadu.quality import record_results, validate_region
from terpadu.quality.suites import READINESS_COUNTS, READINESS_RATES, suite_specs, write_suites
from terpadu.settings import Settings

from tests.unit.test_quality_fixtures import REGION_A, REGION_B, build_marts, make_settings, nik_for, write_run

RUN = "20261001T000000Z"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    return make_settings(tmp_path, monkeypatch)


def _set(frames, mart, where: dict, **values):
    frame = frames[mart]
    mask = frame["region_code"] == REGION_A
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, f"fixture row {where} in {mart} not unique"
    for column, value in values.items():
        frame[column] = frame[column].astype(object)
        frame.loc[mask, column] = value


def _person(i: int) -> dict:
    return {"person_id": f"{REGION_A}-P{i:05d}"}


EMPTY_FAMILY = {"family_id": f"{REGION_A}-F00010"}  # the fixture's family without members
LAST_FLAG = {"flag_type": "moved_out"}  # a flag no other rule depends on


def _other_kecamatan_desa(frames):
    persons = frames["dim_persons"]
    a = persons[persons.region_code == REGION_A]
    first = a.iloc[0]
    return a[a.kecamatan_code != first.kecamatan_code].iloc[0].desa_code


def _drop_region_persons(frames):
    for mart in ("dim_persons", "fct_person_flags"):
        frames[mart] = frames[mart][frames[mart].region_code != REGION_A].reset_index(drop=True)


def _duplicate_readiness(frames):
    import pandas as pd

    row = frames["fct_region_readiness"][frames["fct_region_readiness"].region_code == REGION_A]
    frames["fct_region_readiness"] = pd.concat([frames["fct_region_readiness"], row], ignore_index=True)


def _readiness(column, value):
    return lambda frames: _set(frames, "fct_region_readiness", {}, **{column: value})


def _worklist_codes(mart: str, key: str, value: str) -> dict:
    """The code rules every region-only worklist mart carries, broken on the row `key` = `value`."""
    row = {key: value}
    return {
        f"{mart}.kecamatan_in_region":
            lambda f: _set(f, mart, row, kecamatan_code="35.10.99", desa_code=None),
        f"{mart}.desa_in_region":
            lambda f: _set(f, mart, row, desa_code="11.01.01.2001", kecamatan_code=None),
        f"{mart}.desa_in_kecamatan": lambda f: _set(f, mart, row, desa_code=_other_kecamatan_desa(f)),
    }


def _worklist_key(mart: str, key: str, value: str, other: str) -> dict:
    return {
        f"{mart}.{key}_not_null": lambda f: _set(f, mart, {key: value}, **{key: None}),
        f"{mart}.{key}_unique": lambda f: _set(f, mart, {key: value}, **{key: other}),
    }


SANGGAHAN_DECIDED = {"sanggahan_id": f"SGH-{REGION_A}-1"}  # DITERIMA, 3 days
PROGRAMME_CHANGE = {"programme": "PKH"}

# rule → how to break exactly that rule in region A
BREAKERS = {
    "dim_persons.not_empty": _drop_region_persons,
    "dim_persons.person_id_not_null": lambda f: _set(f, "dim_persons", _person(30), person_id=None),
    "dim_persons.person_id_unique": lambda f: _set(f, "dim_persons", _person(30), person_id=f"{REGION_A}-P00031"),
    "dim_persons.valid_nik_16_digits": lambda f: _set(f, "dim_persons", _person(30), nik="35100123"),
    "dim_persons.valid_nik_present": lambda f: _set(f, "dim_persons", _person(30), nik=None),
    "dim_persons.nik_status_known": lambda f: _set(f, "dim_persons", _person(30), nik_status="entah"),
    "dim_persons.kecamatan_in_region":
        lambda f: _set(f, "dim_persons", _person(30), kecamatan_code="35.10.99", desa_code=None),
    "dim_persons.desa_in_region":
        lambda f: _set(f, "dim_persons", _person(30), desa_code="11.01.01.2001", kecamatan_code=None),
    "dim_persons.desa_in_kecamatan":
        lambda f: _set(f, "dim_persons", _person(0), desa_code=_other_kecamatan_desa(f)),
    "dim_persons.family_exists": lambda f: _set(f, "dim_persons", _person(30), family_id="tidak-ada"),
    "dim_persons.desil_1_to_10": lambda f: _set(f, "dim_persons", _person(30), desil=11),
    "dim_persons.sex_l_or_p": lambda f: _set(f, "dim_persons", _person(30), sex="X"),
    "dim_persons.dead_receives_pkh_flagged": lambda f: _set(f, "dim_persons", _person(21), is_alive=False),
    "dim_persons.dead_receives_bpnt_flagged": lambda f: _set(f, "dim_persons", _person(22), is_alive=False),
    "dim_persons.dead_receives_pbi_flagged": lambda f: _set(f, "dim_persons", _person(23), is_alive=False),
    "dim_families.family_id_not_null": lambda f: _set(f, "dim_families", EMPTY_FAMILY, family_id=None),
    "dim_families.family_id_unique":
        lambda f: _set(f, "dim_families", EMPTY_FAMILY, family_id=f"{REGION_A}-F00000"),
    "dim_families.kecamatan_in_region":
        lambda f: _set(f, "dim_families", EMPTY_FAMILY, kecamatan_code="35.10.99", desa_code=None),
    "dim_families.desa_in_region":
        lambda f: _set(f, "dim_families", EMPTY_FAMILY, desa_code="11.01.01.2001", kecamatan_code=None),
    "dim_families.desa_in_kecamatan":
        lambda f: _set(f, "dim_families", {"family_id": f"{REGION_A}-F00000"}, desa_code=_other_kecamatan_desa(f)),
    "dim_families.desil_1_to_10": lambda f: _set(f, "dim_families", EMPTY_FAMILY, desil=0),
    "dim_families.desil_province_1_to_10": lambda f: _set(f, "dim_families", EMPTY_FAMILY, desil_province=0),
    "dim_families.members_positive": lambda f: _set(f, "dim_families", EMPTY_FAMILY, members=0),
    "fct_person_flags.flag_type_known": lambda f: _set(f, "fct_person_flags", LAST_FLAG, flag_type="lainnya"),
    "fct_person_flags.person_exists": lambda f: _set(f, "fct_person_flags", LAST_FLAG, person_id="hantu"),
    "fct_person_flags.kecamatan_in_region":
        lambda f: _set(f, "fct_person_flags", LAST_FLAG, kecamatan_code="35.10.99"),
    "fct_region_readiness.one_row": _duplicate_readiness,
    **{f"fct_region_readiness.{c}_0_to_1": _readiness(c, 1.5) for c in [*READINESS_RATES, "readiness_score"]},
    **{f"fct_region_readiness.{c}_not_negative": _readiness(c, -1) for c in READINESS_COUNTS},
    "analyst_persons.no_clear_nik":
        lambda f: _set(f, "analyst_persons", {"nik_hash": f["dim_persons"].nik_hash.iloc[3]},
                       nik_hash=nik_for(REGION_A, 3)),
    "analyst_persons.kecamatan_in_region":
        lambda f: _set(f, "analyst_persons", {"nik_hash": f["dim_persons"].nik_hash.iloc[3]},
                       kecamatan_code="35.10.99", desa_code=None),
    "analyst_persons.desa_in_region":
        lambda f: _set(f, "analyst_persons", {"nik_hash": f["dim_persons"].nik_hash.iloc[3]},
                       desa_code="11.01.01.2001", kecamatan_code=None),
    "analyst_persons.desil_1_to_10":
        lambda f: _set(f, "analyst_persons", {"nik_hash": f["dim_persons"].nik_hash.iloc[3]}, desil=0),
    **_worklist_key("fct_sanggahan", "sanggahan_id", f"SGH-{REGION_A}-2", f"SGH-{REGION_A}-1"),
    **_worklist_codes("fct_sanggahan", "sanggahan_id", f"SGH-{REGION_A}-2"),
    "fct_sanggahan.verification_status_known":
        lambda f: _set(f, "fct_sanggahan", SANGGAHAN_DECIDED, verification_status="DIPROSES"),
    "fct_sanggahan.days_open_not_negative": lambda f: _set(f, "fct_sanggahan", SANGGAHAN_DECIDED, days_open=-2),
    "fct_sanggahan.sla_consistent": lambda f: _set(f, "fct_sanggahan", SANGGAHAN_DECIDED, is_past_sla=True),
    **_worklist_key("fct_usulan", "usulan_id", f"USL-{REGION_A}-1", f"USL-{REGION_A}-0"),
    **_worklist_codes("fct_usulan", "usulan_id", f"USL-{REGION_A}-1"),
    "fct_usulan.outcome_known": lambda f: _set(f, "fct_usulan", {"usulan_id": f"USL-{REGION_A}-1"}, outcome="lainnya"),
    **_worklist_key("fct_ground_checks", "ground_check_id", f"GC-{REGION_A}-1", f"GC-{REGION_A}-0"),
    **_worklist_codes("fct_ground_checks", "ground_check_id", f"GC-{REGION_A}-1"),
    "fct_ground_checks.result_known":
        lambda f: _set(f, "fct_ground_checks", {"ground_check_id": f"GC-{REGION_A}-1"}, result="HILANG"),
    "fct_ground_checks.application_status_known":
        lambda f: _set(f, "fct_ground_checks", {"ground_check_id": f"GC-{REGION_A}-1"}, application_status="entah"),
    **_worklist_key("fct_clerical_review", "review_id", f"CR-{REGION_A}-1", f"CR-{REGION_A}-0"),
    **_worklist_codes("fct_clerical_review", "review_id", f"CR-{REGION_A}-1"),
    "fct_clerical_review.source_known":
        lambda f: _set(f, "fct_clerical_review", {"review_id": f"CR-{REGION_A}-1"}, source="p3ke"),
    "fct_clerical_review.match_probability_0_to_1":
        lambda f: _set(f, "fct_clerical_review", {"review_id": f"CR-{REGION_A}-1"}, match_probability=1.5),
    **_worklist_codes("fct_family_changes", "programme", "PKH"),
    "fct_family_changes.direction_known": lambda f: _set(f, "fct_family_changes", PROGRAMME_CHANGE, direction="miring"),
    "fct_family_changes.change_known": lambda f: _set(f, "fct_family_changes", PROGRAMME_CHANGE, change="pindah"),
    "fct_family_changes.desil_from_1_to_10": lambda f: _set(f, "fct_family_changes", PROGRAMME_CHANGE, desil_from=0),
    "fct_family_changes.desil_to_1_to_10": lambda f: _set(f, "fct_family_changes", PROGRAMME_CHANGE, desil_to=11),
}

ERROR_RULES = sorted(r.rule for s in suite_specs() if s.severity == "error" for r in s.rules)


def test_every_error_rule_has_a_breaking_case():
    assert sorted(BREAKERS) == ERROR_RULES


def test_clean_run_passes_and_region_without_data_is_held(settings):
    write_run(settings, RUN, build_marts())
    for region in (REGION_A, REGION_B):
        outcome = validate_region(RUN, region, settings)
        assert outcome["passed"], outcome["errors"]
        assert outcome["warnings"] == []
        assert json.loads((settings.state_dir / "runs" / RUN / "gate" / f"{region}.json").read_text())["passed"]
    empty = validate_region(RUN, "35.73", settings)
    assert not empty["passed"] and not empty["has_data"]
    assert "tidak ada data penduduk" in " ".join(r["id"] for r in empty["errors"])


@pytest.mark.parametrize("rule", ERROR_RULES)
def test_breaking_an_error_rule_holds_only_that_region(settings, rule):
    frames = build_marts()
    BREAKERS[rule](frames)
    write_run(settings, RUN, frames)
    outcome = validate_region(RUN, REGION_A, settings)
    assert not outcome["passed"]
    assert [e["rule"] for e in outcome["errors"]] == [rule]  # exactly that rule, nothing else
    reason = outcome["errors"][0]
    assert reason["id"] and reason["en"] and "{" not in reason["id"] + reason["en"]
    assert publish_region(RUN, REGION_A, settings)["status"] == "held"


def test_other_regions_pass_while_one_breaks_many_rules(settings):
    frames = build_marts()
    for rule, breaker in BREAKERS.items():
        if rule not in {"dim_persons.not_empty", "fct_region_readiness.one_row"}:
            try:
                breaker(frames)
            except AssertionError:  # its fixture row was already changed by an earlier breaker
                pass
    write_run(settings, RUN, frames)
    held = validate_region(RUN, REGION_A, settings)
    assert not held["passed"] and len(held["errors"]) > 20
    assert validate_region(RUN, REGION_B, settings)["passed"]


def test_clear_nik_reason_is_readable_and_never_shows_the_nik(settings):
    frames = build_marts()
    extra = frames["analyst_persons"]
    # A column the suite does not know about still gets caught.
    extra["catatan"] = None
    extra["catatan"] = extra["catatan"].astype(object)
    a_rows = extra.index[extra.region_code == REGION_A][:3]
    extra.loc[a_rows, "catatan"] = [nik_for(REGION_A, i) for i in range(3)]
    write_run(settings, RUN, frames)
    outcome = validate_region(RUN, REGION_A, settings)
    assert [e["rule"] for e in outcome["errors"]] == ["analyst_persons.no_clear_nik"]
    assert outcome["errors"][0]["id"] == "3 NIK di analyst_persons tidak disamarkan"
    assert outcome["errors"][0]["en"] == "3 clear NIKs in analyst_persons"
    text = (settings.state_dir / "runs" / RUN / "gate" / f"{REGION_A}.json").read_text()
    assert not re.search(r"\d{16}", text)


def test_warnings_are_reported_but_do_not_hold(settings):
    frames = build_marts()
    deliveries = frames["deliveries"]
    deliveries.loc[(deliveries.region_code == REGION_A) & (deliveries.source == "dukcapil"), "rows_loaded"] = 400
    persons = frames["dim_persons"]
    persons.loc[persons.region_code == REGION_A, "desil"] = 1  # every person in desil 1
    write_run(settings, RUN, frames)
    outcome = validate_region(RUN, REGION_A, settings)
    assert outcome["passed"]
    assert {w["rule"] for w in outcome["warnings"]} == {
        "fct_region_readiness.reconciles_with_dukcapil", "dim_persons.desil_balance"}
    skipped = [e for s in outcome["suites"] for e in s["expectations"] if e["success"] is None]
    assert [e["rule"] for e in skipped] == ["dim_persons.row_count_vs_previous_release"]  # no release yet


def test_row_count_is_compared_with_the_previous_release(settings):
    write_run(settings, "r1", build_marts())
    validate_region("r1", REGION_A, settings)
    assert publish_region("r1", REGION_A, settings)["status"] == "published"
    write_run(settings, "r2", build_marts(persons_per_region=60))
    outcome = validate_region("r2", REGION_A, settings)
    assert outcome["passed"]
    warning = {w["rule"]: w for w in outcome["warnings"]}["dim_persons.row_count_vs_previous_release"]
    assert "60" in warning["id"]


def test_results_recorded_for_every_region_and_suite_idempotently(settings):
    write_run(settings, RUN, build_marts())
    results = [validate_region(RUN, code, settings) for code in (REGION_A, REGION_B, "35.73")]
    first = record_results(RUN, results, settings)
    again = record_results(RUN, results, settings)
    assert first["rows"] == again["rows"] > 0
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            "select region_code, suite, count(*), count(*) filter (where success = false) "
            "from audit.gate_results where run_id = ? group by all order by all", [RUN]).fetchall()
        total = con.execute("select count(*) from audit.gate_results").fetchone()[0]
    finally:
        con.close()
    suites = sorted(s.name for s in suite_specs())
    assert sorted({(r[0], r[1]) for r in rows}) == sorted((c, s) for c in (REGION_A, REGION_B, "35.73") for s in suites)
    assert total == first["rows"]
    failed = {(r[0], r[1]): r[3] for r in rows}
    assert failed[(REGION_A, "marts__dim_persons__error")] == 0
    assert failed[("35.73", "marts__dim_persons__error")] == 1


def test_committed_suites_match_the_code():
    assert write_suites(Settings.from_env(), check=True) == {"drifted": [], "stale": []}


def test_suite_drift_is_detected(tmp_path):
    real = Settings.from_env()
    shutil.copytree(real.expectations_dir, tmp_path / "expectations")
    copy = dataclasses.replace(real, project_root=tmp_path)
    path = tmp_path / "expectations" / "gx" / "expectations" / "marts__dim_persons__error.json"
    suite = json.loads(path.read_text())
    suite["expectations"].pop()
    path.write_text(json.dumps(suite))
    (path.parent / "marts__old__error.json").write_text("{}")
    assert write_suites(copy, check=True) == {"drifted": ["marts__dim_persons__error"], "stale": ["marts__old__error"]}
    write_suites(copy)
    assert write_suites(copy, check=True) == {"drifted": [], "stale": []}


def test_committed_suites_load_in_the_gx_file_context():
    import great_expectations as gx

    real = Settings.from_env()
    context = gx.get_context(mode="file", project_root_dir=real.expectations_dir)
    for spec in suite_specs():
        suite = context.suites.get(spec.name)
        assert [e.meta["rule"] for e in suite.expectations] == [r.rule for r in spec.rules]


def test_data_docs_are_built_privately_per_run(settings):
    from terpadu.quality.gate import publish_data_docs_index
    from terpadu.storage import open_store

    write_run(settings, RUN, build_marts())
    outcome = validate_region(RUN, REGION_A, settings, data_docs=True)
    docs = settings.state_dir / "runs" / RUN / "data_docs"
    assert outcome["data_docs"] == str(docs / REGION_A / "index.html")
    pages = sorted(p.stem for p in (docs / REGION_A).glob("marts__*.html"))
    assert pages == sorted(s.name for s in suite_specs())
    assert f"{REGION_A}/index.html" in (docs / "index.html").read_text()
    # Published under the private prefix only, never next to releases or the portal.
    store = open_store(settings.object_store_url)
    assert outcome["data_docs_key"] == f"private/data_docs/{RUN}/{REGION_A}/index.html"
    keys = sorted(o.key for o in store.list(""))
    assert keys and all(k.startswith(f"private/data_docs/{RUN}/") for k in keys)
    assert f"private/data_docs/{RUN}/{REGION_A}/marts__dim_persons__error.html" in keys
    assert publish_data_docs_index(RUN, [outcome], settings) == f"private/data_docs/{RUN}/index.html"
    assert f"{REGION_A}/index.html" in store.get_bytes(f"private/data_docs/{RUN}/index.html").decode()


def test_data_docs_by_default_only_for_regions_a_reviewer_must_open(settings):
    frames = build_marts()
    BREAKERS["dim_persons.desil_1_to_10"](frames)
    write_run(settings, RUN, frames)
    held = validate_region(RUN, REGION_A, settings, data_docs="failing")
    clean = validate_region(RUN, REGION_B, settings, data_docs="failing")
    assert held["data_docs_key"] == f"private/data_docs/{RUN}/{REGION_A}/index.html"
    assert "data_docs_key" not in clean and "data_docs" not in clean
    # The outcome is the one of the BASIC validation; the pages come from a SUMMARY one.
    assert [e["rule"] for e in held["errors"]] == ["dim_persons.desil_1_to_10"]
    page = (settings.state_dir / "runs" / RUN / "data_docs" / REGION_A / "marts__dim_persons__error.html").read_text()
    assert "desil" in page


@pytest.mark.parametrize("workers", [1, 2])
def test_cli_validates_every_region_in_order_with_parallel_workers(settings, workers):
    import subprocess
    import sys
    from pathlib import Path

    frames = build_marts()
    frames["dim_persons"].loc[frames["dim_persons"].region_code == REGION_B, "desil"] = 11
    write_run(settings, RUN, frames)
    terpadu = Path(sys.executable).with_name("terpadu")
    done = subprocess.run([str(terpadu), "quality", "--run", RUN, "--workers", str(workers), "--no-record",
                           "--data-docs", "none"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    verdicts = [line.split()[:2] for line in done.stdout.splitlines() if line.startswith(("PASS", "HELD"))]
    # the pilot list's order, whatever finished first; the region without data is held too
    assert verdicts == [["PASS", REGION_A], ["HELD", REGION_B], ["HELD", "35.73"]]
    assert "desil" in done.stdout and f"run {RUN}: 1 passed, 2 held" in done.stdout
    for code in (REGION_A, REGION_B, "35.73"):
        assert (settings.state_dir / "runs" / RUN / "gate" / f"{code}.json").exists()

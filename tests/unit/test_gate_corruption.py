"""A region corrupted on purpose (terpadu.quality.chaos) is held by the gate for exactly the broken
rule, with a readable reason, while the other regions pass and publish."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from terpadu.publish import publish_region
from terpadu.publish.portal import region_status
from terpadu.quality import validate_region
from terpadu.quality.chaos import CORRUPTIONS, DEFAULT_RULE, corrupt_region, corruptions
from terpadu.quality.suites import suite_specs
from terpadu.storage import open_store

from tests.unit.test_quality_fixtures import REGION_A, REGION_B, build_marts, make_settings, write_run

RUN = "20261001T000000Z"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, monkeypatch)
    write_run(settings, RUN, build_marts())
    return settings


def _marts(settings) -> dict[str, pd.DataFrame]:
    folder = settings.state_dir / "runs" / RUN / "marts"
    return {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}


def _schemas(settings) -> dict[str, list[tuple]]:
    """Parquet column names and physical types (the fixture writer adds pandas-only annotations)."""
    folder = settings.state_dir / "runs" / RUN / "marts"
    schemas = {}
    for path in folder.glob("*.parquet"):
        schema = pq.ParquetFile(path).schema
        schemas[path.stem] = [(c.name, c.physical_type) for c in schema]
    return schemas


def test_supported_rules_are_error_rules_of_the_committed_suites():
    errors = {r.rule for s in suite_specs() if s.severity == "error" for r in s.rules}
    assert set(CORRUPTIONS) <= errors
    assert DEFAULT_RULE in CORRUPTIONS and len(CORRUPTIONS) >= 3


@pytest.mark.parametrize("rule", sorted(CORRUPTIONS))
def test_corrupted_region_is_held_for_that_rule_only_and_the_other_publishes(settings, rule):
    before, schemas = _marts(settings), _schemas(settings)
    done = corrupt_region(RUN, REGION_A, settings, rule=rule)
    assert done["rule"] == rule and done["rows"] == 3

    # Only region A's rows of the one mart changed; everything else is byte-for-byte the same data.
    after = _marts(settings)
    for mart, frame in before.items():
        other_before = frame[frame.region_code != REGION_A].reset_index(drop=True)
        other_after = after[mart][after[mart].region_code != REGION_A].reset_index(drop=True)
        pd.testing.assert_frame_equal(other_before, other_after, check_dtype=False)
        assert len(after[mart]) == len(frame)
        if mart != CORRUPTIONS[rule].mart:
            pd.testing.assert_frame_equal(frame, after[mart])

    assert _schemas(settings) == schemas  # same columns and types: only values were broken

    held = validate_region(RUN, REGION_A, settings)
    assert not held["passed"] and held["status"] == "held"
    assert [e["rule"] for e in held["errors"]] == [rule]
    reason = held["errors"][0]
    assert reason["en"].startswith("3 ") and "{" not in reason["id"] + reason["en"]
    assert held["corrupted_on_purpose"][0]["rule"] == rule
    assert publish_region(RUN, REGION_A, settings)["status"] == "held"

    other = validate_region(RUN, REGION_B, settings)
    assert other["passed"] and other["errors"] == [] and other["corrupted_on_purpose"] is None
    assert publish_region(RUN, REGION_B, settings)["status"] == "published"

    # The portal says first that the hold is a demo, then the gate's own reason.
    portal = region_status(RUN, REGION_A, open_store(settings.object_store_url, settings.s3_endpoint_url), settings)
    assert portal["status"] == "held"
    assert portal["reasons"][0]["id"].startswith("DIRUSAK DENGAN SENGAJA") and rule in portal["reasons"][0]["en"]
    assert portal["reasons"][1] == reason


def test_marker_records_each_corruption_and_the_gate_file_mentions_it(settings):
    corrupt_region(RUN, REGION_A, settings)  # the default rule
    corrupt_region(RUN, REGION_A, settings, rule="dim_persons.desil_1_to_10")
    marker = json.loads((settings.state_dir / "runs" / RUN / "CORRUPTED.json").read_text())
    assert [(c["region_code"], c["rule"]) for c in marker["corruptions"]] == [
        (REGION_A, DEFAULT_RULE), (REGION_A, "dim_persons.desil_1_to_10")]
    assert corruptions(RUN, settings) == marker["corruptions"]
    outcome = validate_region(RUN, REGION_A, settings)
    assert sorted(e["rule"] for e in outcome["errors"]) == sorted([DEFAULT_RULE, "dim_persons.desil_1_to_10"])
    gate_file = json.loads((settings.state_dir / "runs" / RUN / "gate" / f"{REGION_A}.json").read_text())
    assert "corrupted on purpose" in gate_file["corrupted_on_purpose"][0]["note"]


def test_unknown_rule_and_region_without_rows_are_refused(settings):
    before = _marts(settings)
    with pytest.raises(ValueError, match="supported"):
        corrupt_region(RUN, REGION_A, settings, rule="dim_persons.sex_l_or_p_typo")
    with pytest.raises(ValueError, match="no rows"):
        corrupt_region(RUN, "35.73", settings)  # a pilot region without data
    after = _marts(settings)
    for mart in before:
        pd.testing.assert_frame_equal(before[mart], after[mart])
    assert not (settings.state_dir / "runs" / RUN / "CORRUPTED.json").exists()
    assert not list((settings.state_dir / "runs" / RUN / "marts").glob(".*tmp"))

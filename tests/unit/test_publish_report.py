"""The readiness report's trend and forecast: history read back from the store's manifests, the
target and deadline taken from the settings, and the forecast arithmetic checked by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from terpadu.publish import publish_region
from terpadu.publish.config import PublishConfig
from terpadu.publish.forecast import forecast, run_time
from terpadu.quality import validate_region
from terpadu.storage import open_store

from tests.unit.test_quality_fixtures import REGION_A, build_marts, make_settings, write_run

R1, R2 = "20261001T000000Z", "20261101T000000Z"  # 31 days apart


def _publish(settings, run_id, score):
    frames = build_marts()
    frames["fct_region_readiness"]["readiness_score"] = score
    write_run(settings, run_id, frames)
    assert validate_region(run_id, REGION_A, settings)["passed"]
    assert publish_region(run_id, REGION_A, settings)["status"] == "published"
    store = open_store(settings.object_store_url)
    return (Path(store.root) / "releases" / REGION_A / run_id / "readiness.html").read_text(), \
        json.loads(store.get_bytes(f"releases/{REGION_A}/{run_id}/manifest.json"))


@pytest.mark.parametrize(("deadline", "status", "words"), [
    ("2026-10-01", "late", "62 hari setelah tenggat 1 Oktober 2026"),
    ("2027-01-31", "on_track", "sebelum tenggat 31 Januari 2027"),
])
def test_trend_and_forecast_from_previous_releases(tmp_path, monkeypatch, deadline, status, words):
    settings = make_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("TERPADU_DATA_DEADLINE", deadline)
    first, manifest1 = _publish(settings, R1, 0.82)
    assert "Belum cukup rilis" in first and manifest1["forecast"]["status"] == "not_enough"
    assert manifest1["previous_release"] is None
    # +0.04 in 31 days; 0.04 more to 0.9 → 31 days after 1 Nov = 2 Dec 2026
    second, manifest2 = _publish(settings, R2, 0.86)
    assert manifest2["previous_release"]["run_id"] == R1
    assert manifest2["forecast"] == {"status": status, "target": 0.9, "deadline": deadline,
                                     "eta": "2026-12-02", "releases_used": 2}
    assert "2 Desember 2026" in second and words in second
    assert "82.0%" in second and "86.0%" in second  # both releases in the trend table
    assert "<polyline" in second and "perkiraan 2 Desember 2026" in second


def test_a_failed_or_other_regions_release_is_not_history(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, monkeypatch)
    _publish(settings, R1, 0.5)
    # a release prefix that never became latest (left by a crash) is not part of the trend
    store = open_store(settings.object_store_url)
    stray = json.loads(store.get_bytes(f"releases/{REGION_A}/{R1}/manifest.json"))
    stray.update(run_id="20261015T000000Z", readiness={"readiness_score": 0.99})
    store.put_bytes(f"releases/{REGION_A}/20261015T000000Z/manifest.json", json.dumps(stray).encode())
    html, manifest = _publish(settings, R2, 0.6)
    assert "99.0%" not in html and manifest["forecast"]["releases_used"] == 2


def test_forecast_rules():
    config = PublishConfig(readiness_target=0.9, deadline=date(2026, 10, 1), trend_window=3)

    def at(day, score):
        return {"run_id": f"r{day}", "at": run_time(f"202609{day:02d}T000000Z"), "score": score}

    assert forecast([at(1, 0.5)], config)["status"] == "not_enough"
    assert forecast([at(1, 0.95)], config)["status"] == "reached"
    assert forecast([at(1, 0.6), at(10, 0.5)], config)["status"] == "no_progress"
    # only the last three releases count: an old jump does not inflate the pace
    # +0.02 per 10 days from 0.70 on 2 Sep → 0.90 after 100 days: 11 Dec, late
    result = forecast([at(1, 0.1), at(2, 0.70), at(12, 0.72), at(22, 0.74)], config)
    assert result["used"] == 3 and result["status"] == "late" and result["eta"] == date(2026, 12, 11)
    assert run_time("manual__2026-10-01T00_00_00_00_00").date() == date(2026, 10, 1)

"""Readiness across releases and when a region reaches the target at its current pace.

History comes from the store, not from a side table: each manifest names the release that was
current when it was published (`previous_release`), so following that chain from `latest.json`
visits exactly the releases that were once current — never a prefix whose switch failed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from terpadu.publish.config import PublishConfig
from terpadu.storage import ObjectStore

MAX_HISTORY = 52  # a weekly release for a year is more than any chart on a phone can show

# 20261001T000000Z (terpadu) or manual__2026-10-01T00_00_00_00_00 (a sanitised Airflow run id)
_RUN_TIME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})T(\d{2})[:_]?(\d{2})[:_]?(\d{2})")


def run_time(run_id: str) -> datetime | None:
    """When the run was made, from its id; None when the id carries no timestamp."""
    match = _RUN_TIME.search(run_id)
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _when(run_id: str, created_at: str | None) -> datetime:
    found = run_time(run_id)
    if found:
        return found
    if created_at:
        return datetime.fromisoformat(created_at)
    return datetime.now(UTC)


def release_history(store: ObjectStore, latest: dict | None) -> list[dict]:
    """[{run_id, at, score}] of the releases that were current before, oldest first."""
    points: list[dict] = []
    seen: set[str] = set()
    key = latest["manifest_key"] if latest else None
    while key and key not in seen and len(points) < MAX_HISTORY:
        seen.add(key)
        if not store.exists(key):
            break
        manifest = json.loads(store.get_bytes(key))
        score = (manifest.get("readiness") or {}).get("readiness_score")
        if score is not None:
            points.append({"run_id": manifest["run_id"], "at": _when(manifest["run_id"], manifest.get("created_at")),
                           "score": float(score)})
        key = (manifest.get("previous_release") or {}).get("manifest_key")
    return sorted(points, key=lambda p: p["at"])


def forecast(points: list[dict], config: PublishConfig) -> dict:
    """Least-squares line through the last `trend_window` releases; when it crosses the target.

    status: reached | not_enough | no_progress | on_track | late
    """
    target, deadline = config.readiness_target, config.deadline
    out = {"target": target, "deadline": deadline, "eta": None, "slope_per_30_days": None, "used": 0}
    if points and points[-1]["score"] >= target:
        return {**out, "status": "reached"}
    recent = points[-config.trend_window:]
    if len(recent) < 2:
        return {**out, "status": "not_enough"}
    t0 = recent[0]["at"]
    xs = [(p["at"] - t0).total_seconds() / 86400 for p in recent]
    ys = [p["score"] for p in recent]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:  # every release at the same instant: no pace to speak of
        return {**out, "status": "not_enough", "used": n}
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    out.update(used=n, slope_per_30_days=slope * 30)
    if slope <= 0:
        return {**out, "status": "no_progress"}
    days = max((target - intercept) / slope, xs[-1])  # never "reached" before the last release
    eta = (t0 + timedelta(days=days)).date()
    return {**out, "eta": eta, "status": "on_track" if eta <= deadline else "late",
            "days_late": max((eta - deadline).days, 0)}


def describe(result: dict) -> str:
    """One sentence in Bahasa Indonesia for the report."""
    target = f"{result['target'] * 100:.0f}%"
    deadline = format_date(result["deadline"])
    status = result["status"]
    if status == "reached":
        return f"Target {target} sudah tercapai."
    if status == "not_enough":
        return (f"Belum cukup rilis untuk memperkirakan kapan target {target} tercapai "
                "(perlu sedikitnya dua rilis).")
    if status == "no_progress":
        return (f"Dengan laju sekarang skor tidak naik, sehingga target {target} tidak akan tercapai "
                f"sebelum tenggat {deadline}. Perbaiki data dari daftar kerja (worklist).")
    eta = format_date(result["eta"])
    if status == "on_track":
        return f"Dengan laju sekarang target {target} tercapai sekitar {eta}, sebelum tenggat {deadline}."
    return (f"Dengan laju sekarang target {target} baru tercapai sekitar {eta}, "
            f"{result['days_late']} hari setelah tenggat {deadline}: laju perbaikan perlu dipercepat.")


_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"]


def format_date(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"

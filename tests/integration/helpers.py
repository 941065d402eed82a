"""Shared set-up for the end-to-end tests: a small pilot list and simulated deliveries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from terpadu.settings import REFERENCE_DIR, get_settings


def write_pilot_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codes: list[str]) -> list[str]:
    """Replace the pilot list (as a deployment would, through TERPADU_PILOT_REGIONS) by a subset."""
    with open(REFERENCE_DIR / "pilot_regions.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["kode_kabupaten"] in codes]
        fields = reader.fieldnames
    assert len(rows) == len(codes), f"not all of {codes} are pilot regions"
    path = tmp_path / "pilot_regions.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setenv("TERPADU_PILOT_REGIONS", str(path))
    return codes


def simulate_small(state_dir: Path, regions: list[str], persons: int, seed: int = 7) -> dict:
    from terpadu.reference import pilot_regions
    from terpadu.simulate import simulate

    settings = get_settings()
    assert settings.state_dir == state_dir
    chosen = [region for region in pilot_regions() if region.code in regions]
    return simulate(settings, regions=chosen, persons=persons, seed=seed, progress=lambda *_: None)

"""Reference data shipped with the package: Kemendagri region codes, Dukcapil population,
BPS poverty, and the pilot region list. See reference/data/SOURCE.md for provenance."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from terpadu.settings import REFERENCE_DIR, get_settings


@dataclass(frozen=True)
class Region:
    """A kabupaten/kota (Kemendagri dotted code, e.g. '81.71')."""

    code: str
    name: str
    province_code: str
    province_name: str
    population: int
    poverty_rate: float  # BPS P0, March 2025, percent
    basis: str = ""  # for pilot regions: reported / related / placeholder

    @property
    def digits(self) -> str:
        """'8171' — the form used in NIKs, DTKS KODE_DESA prefixes and file names."""
        return self.code.replace(".", "")


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def regencies() -> dict[str, Region]:
    provinces = {row["kode"]: row["nama"] for row in _read(REFERENCE_DIR / "provinces.csv")}
    population = {r["kode_kabupaten"]: int(r["total"]) for r in _read(REFERENCE_DIR / "penduduk_kabkota_2024s2.csv")}
    poverty = {r["kode_kabupaten"]: float(r["p0_persen"]) for r in _read(REFERENCE_DIR / "poverty_kabkota_2025.csv")}
    return {
        row["kode"]: Region(
            code=row["kode"],
            name=row["nama"],
            province_code=row["kode_provinsi"],
            province_name=provinces[row["kode_provinsi"]],
            population=population[row["kode"]],
            poverty_rate=poverty[row["kode"]],
        )
        for row in _read(REFERENCE_DIR / "regencies.csv")
    }


def pilot_regions(path: Path | None = None) -> list[Region]:
    """The pilot regions in file order. The list is replaceable: TERPADU_PILOT_REGIONS=/path.csv
    (columns kode_kabupaten, nama, kode_provinsi, nama_provinsi, basis)."""
    path = path or get_settings().pilot_regions_file
    known = regencies()
    regions = []
    for number, row in enumerate(_read(path), start=2):
        code = row.get("kode_kabupaten", "").strip()
        if code not in known:
            raise ValueError(
                f"{path}, row {number}, column kode_kabupaten: {code!r} is not a Kemendagri kab/kota code "
                "(expected the dotted form, e.g. 81.71)"
            )
        region = known[code]
        regions.append(Region(**{**region.__dict__, "basis": row.get("basis", "")}))
    return regions


@lru_cache(maxsize=1)
def districts() -> dict[str, str]:
    """kecamatan code → name."""
    return {row["kode"]: row["nama"] for row in _read(REFERENCE_DIR / "districts.csv")}


@lru_cache(maxsize=1)
def villages_by_regency() -> dict[str, list[tuple[str, str]]]:
    """kab/kota code → [(desa/kelurahan code, name), ...] in code order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in _read(REFERENCE_DIR / "villages.csv"):
        out.setdefault(row["kode"][:5], []).append((row["kode"], row["nama"]))
    return out

"""True welfare and the Regsosek variables that are noisy signals of it.

One latent standard-normal welfare score per family drives everything: per-capita expenditure
(log-normal around the regional poverty line, calibrated so that the share of *living people* below
the line equals the region's BPS P0 exactly in each chunk), and every PMT variable through an ordered
probit `y* = a·z + sqrt(1 - a²)·ε` with a loading `a` of 0.35–0.7. A PMT fitted downstream can
therefore recover a rank that correlates with the truth, but never perfectly: that gap is what
ground checks and sanggahan are for.

Poverty line: BPS national line March 2025, Rp 609,160 per capita per month, scaled ×1.08 for a
kota and ×0.95 for a kabupaten (the reference data has no per-region lines; an assumption, documented).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NATIONAL_LINE = 609_160.0
SIGMA = 0.55  # dispersion of log per-capita expenditure


def poverty_line(region_name: str) -> float:
    return NATIONAL_LINE * (1.08 if region_name.startswith("Kota") else 0.95)


def _ordered(rng, z, loading, cum_shares) -> np.ndarray:
    """Ordered probit: codes 0..k-1 with population shares given by `cum_shares` (cumulative)."""
    y = loading * z + np.sqrt(1 - loading**2) * rng.standard_normal(len(z))
    cuts = _norm_ppf(np.asarray(cum_shares))
    return np.searchsorted(cuts, y)


def _norm_ppf(p: np.ndarray) -> np.ndarray:
    """Inverse standard-normal CDF (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    out = np.empty_like(p)
    lo, hi = p < 0.02425, p > 1 - 0.02425
    mid = ~(lo | hi)
    q = np.sqrt(-2 * np.log(p[lo]))
    out[lo] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    q = np.sqrt(-2 * np.log(1 - p[hi]))
    out[hi] = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    return out


def family_welfare(rng: np.random.Generator, fams: pd.DataFrame, people: pd.DataFrame, p0_percent: float,
                   line: float, urban: bool) -> pd.DataFrame:
    """Adds z (latent welfare), pce (Rp/capita/month), poor, rank (person-weighted percentile) to fams."""
    size = fams["size"].to_numpy()
    z = rng.standard_normal(len(fams)) - 0.35 * (np.log(size) - np.log(3.0))
    z = z + np.where(fams["ftype"].to_numpy() == 0, -0.2, 0.0)  # lone elderly are poorer
    alive = ~people["dead"].to_numpy()
    alive_n = np.bincount(people["fam"].to_numpy(), weights=alive, minlength=len(fams))
    order = np.argsort(z, kind="stable")
    cum = np.cumsum(alive_n[order]) / max(alive_n.sum(), 1)
    # calibrate: the person-weighted p0 quantile of z sits exactly on the poverty line
    k = min(np.searchsorted(cum, p0_percent / 100.0), len(order) - 1)
    q = (z[order[k]] + z[order[max(k - 1, 0)]]) / 2 if k > 0 else z[order[0]] - 1e-6
    pce = line * np.exp(SIGMA * (z - q))
    rank = np.empty(len(fams))
    rank[order] = cum - alive_n[order] / max(alive_n.sum(), 1) / 2
    fams = fams.assign(z=z, pce=np.round(pce, 0), poor=pce < line, rank=rank, line=line)
    # standardised welfare for the PMT variables, urban areas better housed at equal welfare
    fams["zs"] = (z - z.mean()) / (z.std() or 1.0) + (0.4 if urban else -0.1)
    return fams


def regsosek_family_variables(rng: np.random.Generator, fams: pd.DataFrame, coastal: bool) -> dict[str, np.ndarray]:
    """The 26 family variables of contracts.REGSOSEK_FAMILY_VARIABLES, as numpy arrays (codes int)."""
    z = fams["zs"].to_numpy()
    n = len(z)
    size = fams["size"].to_numpy()

    def flag(loading, share):
        return (_ordered(rng, z, loading, [1 - share]) == 1).astype(np.int8)

    out = {
        "STATUS_BANGUNAN": np.choose(_ordered(rng, z, 0.2, [0.8, 0.9, 0.97]), [1, 2, 3, 4]),
        "LUAS_LANTAI": np.round(np.exp(3.6 + 0.35 * z + 0.15 * np.log(size) + 0.3 * rng.standard_normal(n)))
        .astype(int).clip(9, 600),
        "JENIS_LANTAI": _ordered(rng, z, 0.65, [0.06, 0.14, 0.40, 0.60]) + 1,
        "JENIS_DINDING": _ordered(rng, z, 0.6, [0.07, 0.22, 0.27]) + 1,
        "JENIS_ATAP": _ordered(rng, z, 0.45, [0.04, 0.45, 0.55]) + 1,
        "SUMBER_AIR_MINUM": _ordered(rng, z, 0.5, [0.08, 0.18, 0.55]) + 1,
        "SUMBER_PENERANGAN": _ordered(rng, z, 0.4, [0.015, 0.03]) + 1,
        "BAHAN_BAKAR_MASAK": _ordered(rng, z, 0.6, [0.15, 0.20, 0.85]) + 1,
        "FASILITAS_BAB": _ordered(rng, z, 0.55, [0.06, 0.18]) + 1,
        "JUMLAH_KAMAR": np.clip(np.round(1.6 + 0.6 * z + 0.25 * size + 0.6 * rng.standard_normal(n)), 1, 8).astype(int),
        "ASET_GAS_5KG": flag(0.55, 0.22), "ASET_KULKAS": flag(0.65, 0.55), "ASET_AC": flag(0.7, 0.12),
        "ASET_PEMANAS_AIR": flag(0.65, 0.06), "ASET_TV": flag(0.6, 0.35), "ASET_EMAS_10G": flag(0.55, 0.15),
        "ASET_KOMPUTER": flag(0.65, 0.18), "ASET_SEPEDA": flag(0.1, 0.3), "ASET_SEPEDA_MOTOR": flag(0.45, 0.8),
        "ASET_MOBIL": flag(0.7, 0.1),
        "ASET_PERAHU": (rng.random(n) < (0.12 if coastal else 0.02) * np.exp(-0.3 * z)).astype(np.int8),
        "ASET_LAHAN": flag(0.3, 0.3), "ASET_RUMAH_LAIN": flag(0.6, 0.06), "ASET_SMARTPHONE": flag(0.45, 0.82),
        "JUMLAH_TERNAK": np.where(rng.random(n) < 0.08 + 0.04 * (z < 0), rng.poisson(2.0, n), 0),
    }
    pln = out["SUMBER_PENERANGAN"] == 3
    daya = np.choose(_ordered(rng, z, 0.7, [0.25, 0.70, 0.88, 0.96]), [450, 900, 1300, 2200, 3500])
    out["DAYA_TERPASANG"] = np.where(pln, daya, 0)
    return out


EDU_SHARES = [0.08, 0.35, 0.55, 0.86, 0.90]  # cumulative shares of adults: none, SD, SMP, SMA, D1-3, S1+


def person_variables(rng: np.random.Generator, people: pd.DataFrame, fams: pd.DataFrame,
                     urban: bool) -> dict[str, np.ndarray]:
    """The person variables of contracts.REGSOSEK_PERSON_VARIABLES (codes int) plus marital status."""
    fam = people["fam"].to_numpy()
    z = fams["zs"].to_numpy()[fam]
    age = people["age"].to_numpy()
    female = people["female"].to_numpy()
    role = people["role"].to_numpy()
    n = len(age)
    cohort = np.clip((60 - age) / 40, -0.5, 1.0)  # younger adults are better educated
    edu = _ordered(rng, 0.75 * z + 0.5 * cohort, 0.7, EDU_SHARES)
    cap = np.select([age < 7, age < 13, age < 16, age < 19, age < 22], [0, 0, 1, 2, 3], 5)
    edu = np.minimum(edu, cap)
    school_p = np.select([age < 6, age < 13, age < 16, age < 19, age < 22], [0, 0.98, 0.9, 0.72, 0.25], 0)
    school_p = np.clip(school_p + 0.08 * z * (age >= 13), 0, 1)
    school = (rng.random(n) < school_p).astype(np.int8)
    works = (age >= 15) & (school == 0) & (age < 70) & (rng.random(n) < np.where(female, 0.55, 0.88))
    farm_share = 0.08 if urban else 0.45
    lap = np.where(works, _ordered(rng, z, 0.45, [farm_share, farm_share + 0.12, farm_share + 0.37, 0.95]) + 1, 0)
    stat = np.where(works, np.choose(_ordered(rng, z, 0.5, [0.15, 0.45, 0.55, 0.92]), [5, 1, 2, 4, 3]), 0)
    dis = (rng.random(n) < 0.015 + 0.12 * (age > 70)).astype(np.int8)
    kron = (rng.random(n) < 0.03 + 0.004 * np.clip(age - 40, 0, None)).astype(np.int8)
    jk = np.where(fams["poor"].to_numpy()[fam] | (z < -0.6), np.where(rng.random(n) < 0.75, 1, 0),
                  _ordered(rng, z, 0.5, [0.15, 0.35, 0.93]))
    spouse_in = np.bincount(fam, weights=(role == 2), minlength=len(fams))[fam] > 0
    kawin = np.select(
        [(role == 1) & spouse_in, role == 2, (role == 1) & (age > 55), role == 1, (role == 6) | (role == 7), role == 4],
        [2, 2, np.where(rng.random(n) < 0.8, 4, 3), np.where(fams["ftype"].to_numpy()[fam] == 3,
                                                            np.where(rng.random(n) < 0.6, 3, 4), 1),
         np.where(rng.random(n) < 0.7, 4, 2), 2],
        np.where((age > 24) & (rng.random(n) < 0.15), 2, 1))
    return {"PENDIDIKAN": edu, "STATUS_PEKERJAAN": stat, "LAPANGAN_USAHA": lap, "DISABILITAS": dis,
            "PENYAKIT_KRONIS": kron, "JAMINAN_KESEHATAN": jk, "MASIH_SEKOLAH": school, "STATUS_KAWIN": kawin}

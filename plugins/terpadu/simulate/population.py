"""The true population of one chunk of a region: families, people, where they live, who died.

Plausible rather than exact: family types (single, couple, nuclear, single parent, extended with
elderly parents or grandchildren) give ~3 people per KK (Indonesia: 285.6 M people in 93 M families;
Ambon's DTKS 100,739 in 34,146 ≈ 2.95). Heads are 20–80, wives a few years younger, children spaced
1.5–4 years from a mother aged 18–30 at first birth. Everything is numpy over arrays of families and
people; no per-person Python except names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from terpadu.reference import Region
from terpadu.simulate import nik as nikmod
from terpadu.simulate.names import NameGenerator, culture_mix, religion_for

# family types: single, couple, nuclear, single parent, extended
TYPE_P = np.array([0.15, 0.15, 0.50, 0.08, 0.12])
YEAR = 365.25


@dataclass
class Geography:
    """One region's desa/kelurahan, their kecamatan, and kecamatan elsewhere (for in-migrants)."""

    region: Region
    village_codes: np.ndarray  # 10-digit ints
    village_names: np.ndarray
    village_weight: np.ndarray
    kecamatan: np.ndarray  # 6-digit ints of this region
    same_province_kec: np.ndarray  # 6-digit ints of other regions in the province
    other_kec: np.ndarray  # 6-digit ints elsewhere

    @classmethod
    def build(cls, region: Region, villages: list[tuple[str, str]], all_districts,
              rng: np.random.Generator) -> Geography:
        """`all_districts`: every kecamatan, as dotted codes or (cheaper, once per run) sorted 6-digit ints."""
        codes = np.array([int(c.replace(".", "")) for c, _ in villages], dtype=np.int64)
        names = np.array([n for _, n in villages], dtype=object)
        weight = rng.lognormal(0.0, 0.6, len(codes))  # villages differ in size
        kec = np.unique(codes // 10**4)
        every = np.asarray(all_districts)
        if every.dtype.kind not in "iu":
            every = np.array([int(d.replace(".", "")) for d in every], dtype=np.int64)
        other = every[every // 100 != int(region.digits)]
        same = other[other // 10**4 == int(region.province_code)]
        return cls(region, codes, names, weight / weight.sum(), kec,
                   same if len(same) else other, other)


def _ages_to_dob(rng: np.random.Generator, ref: np.datetime64, age_years: np.ndarray) -> np.ndarray:
    days = (age_years * YEAR + rng.random(len(age_years)) * 300).astype(np.int64)
    return ref - days.astype("timedelta64[D]")


def build_chunk(rng: np.random.Generator, geo: Geography, n_persons: int, ref: np.datetime64,
                names: NameGenerator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(families, persons) with at least `n_persons` people (whole families; trimmed to the family)."""
    n_fam = int(n_persons / 2.9 * 1.1) + 8
    ftype = rng.choice(5, size=n_fam, p=TYPE_P)
    head_age = np.select(
        [ftype == 0, ftype == 1, ftype == 2, ftype == 3],
        [rng.uniform(20, 85, n_fam), np.where(rng.random(n_fam) < 0.4, rng.uniform(21, 35, n_fam),
                                              rng.uniform(48, 80, n_fam)),
         rng.triangular(22, 38, 65, n_fam), rng.uniform(28, 66, n_fam)],
        rng.uniform(30, 62, n_fam)).clip(20, 80)
    head_f = np.select([ftype == 0, ftype == 3], [rng.random(n_fam) < np.where(head_age > 60, 0.65, 0.45),
                                                  rng.random(n_fam) < 0.75], rng.random(n_fam) < 0.04)
    spouse = np.isin(ftype, (1, 2)) | ((ftype == 4) & (rng.random(n_fam) < 0.85))
    n_child = np.select([ftype == 2, ftype == 3, ftype == 4],
                        [1 + rng.poisson(0.9, n_fam), 1 + rng.poisson(0.5, n_fam), rng.poisson(1.0, n_fam)], 0)
    n_child = np.minimum(n_child, np.maximum(((head_age - 18) / 2.5).astype(int), 0)).clip(0, 7)
    n_par = np.where((ftype == 4) & (head_age < 62), 1 + (rng.random(n_fam) < 0.3), 0)
    n_gc = np.where((ftype == 4) & (head_age >= 48), rng.poisson(1.0, n_fam), 0).clip(0, 4)
    n_oth = ((ftype == 2) & (rng.random(n_fam) < 0.04)) | (n_gc > 0) & (rng.random(n_fam) < 0.5)
    size = 1 + spouse + n_child + n_par + n_gc + n_oth
    keep = np.searchsorted(np.cumsum(size), n_persons) + 1
    sl = slice(0, keep)
    ftype, head_age, head_f, spouse, n_child, n_par, n_gc, n_oth, size = (
        a[sl] for a in (ftype, head_age, head_f, spouse, n_child, n_par, n_gc, n_oth, size))
    n_fam = keep

    # --- people: role from the position inside the family --------------------------------------
    fam = np.repeat(np.arange(n_fam), size)
    start = np.r_[0, np.cumsum(size)[:-1]]
    pos = np.arange(len(fam)) - start[fam]
    b1 = 1 + spouse.astype(int)
    b2 = b1 + n_child
    b3 = b2 + n_par
    b4 = b3 + n_gc
    p = pos
    role = np.select([p == 0, p < b1[fam], p < b2[fam], p < b3[fam], p < b4[fam]], [1, 2, 3, 6, 5], 8)
    role = np.where((role == 8) & (n_gc[fam] > 0), 4, role)  # the grandchildren's parent: menantu
    role = np.where((role == 6) & (rng.random(len(fam)) < 0.35), 7, role)  # mertua
    n = len(fam)
    u = rng.random(n)
    ha = head_age[fam]
    hf = head_f[fam]
    wife_age = np.where(hf, ha, ha - rng.gamma(2.0, 2.2, n)).clip(17, None)
    spouse_age = np.where(hf, ha + rng.gamma(2.0, 1.5, n), wife_age)
    mother_age = np.where(hf | ~spouse[fam], ha, wife_age)
    child_k = pos - b1[fam]
    first_gap = rng.uniform(19, 30, n)
    child_age = mother_age - first_gap - child_k * rng.uniform(1.5, 4.0, n)
    child_age = np.where(child_age < 0, rng.uniform(0, 3, n), child_age)
    age = np.select([role == 1, role == 2, role == 3, (role == 6) | (role == 7), role == 5, role == 4],
                    [ha, spouse_age, child_age, (ha + rng.uniform(20, 34, n)).clip(None, 99),
                     rng.uniform(0, 1, n) * (ha - 40).clip(1, 16), rng.uniform(22, 40, n)],
                    rng.uniform(15, 70, n))
    female = np.select([role == 1, role == 2, (role == 6) | (role == 7)],
                       [hf, ~hf, u < 0.65], u < 0.49)
    female = np.where((role == 6) & (n_par[fam] == 2), (pos - b2[fam]) == 1, female)
    dob = _ages_to_dob(rng, ref, age)
    birth_year = dob.astype("datetime64[Y]").astype(int) + 1970

    # --- deaths in the last four years (older people far more likely) --------------------------
    p_dead = (0.003 + 0.02 * np.exp((age - 70) / 9)).clip(0, 0.6)
    dead = rng.random(n) < p_dead
    dead &= role != 1  # the head stays alive so the KK keeps its head (a simplification, see docs)
    death = ref - rng.integers(7, 4 * 365, n).astype("timedelta64[D]")
    death = np.where(dead, np.maximum(death, dob + np.timedelta64(1, "D")), np.datetime64("NaT"))

    # --- where families live, and where people were first registered ----------------------------
    vidx = rng.choice(len(geo.village_codes), size=n_fam, p=geo.village_weight)
    fam_desa = geo.village_codes[vidx]
    fam_kec = fam_desa // 10**4
    r = rng.random(n)
    first_kec = fam_kec[fam].copy()
    other_in = r < 0.07
    first_kec[other_in] = geo.kecamatan[rng.integers(0, len(geo.kecamatan), int(other_in.sum()))]
    mig = r > 0.97
    same_prov = rng.random(n) < 0.6
    pool_same = geo.same_province_kec[rng.integers(0, len(geo.same_province_kec), n)]
    pool_other = geo.other_kec[rng.integers(0, len(geo.other_kec), n)]
    first_kec = np.where(mig, np.where(same_prov, pool_same, pool_other), first_kec)

    # --- culture, religion, names ---------------------------------------------------------------
    cidx, cp = culture_mix(geo.region.province_code)
    culture = cidx[rng.choice(len(cidx), size=n_fam, p=cp)]
    religion = religion_for(rng, culture)
    surname = names.family_names(rng, culture)
    spouse_surname = names.family_names(rng, culture)
    order = np.where(role == 3, child_k, rng.integers(0, 4, n))
    pers_surname = np.where(role == 2, spouse_surname[fam], surname[fam])
    full = names.given_names(rng, culture[fam], female, birth_year, order, pers_surname, religion[fam])

    # text columns stay object dtype: pandas 3 would convert them to Arrow strings and back on every read
    fams = pd.DataFrame({
        "ftype": ftype, "size": size, "kode_desa": fam_desa, "kec": fam_kec,
        "desa_name": pd.Series(geo.village_names[vidx], dtype=object), "culture": culture, "religion": religion,
    })
    people = pd.DataFrame({
        "fam": fam, "pos": pos, "role": role, "female": female, "age": age, "dob": dob,
        "dead": dead, "death": death, "first_kec": first_kec, "migrant_reg": mig,
        "name": pd.Series(full, dtype=object),
    })
    return fams, people


def assign_niks(people: pd.DataFrame, native: nikmod.RegionSerials, migrants: nikmod.MigrantSerials) -> np.ndarray:
    kec = people["first_kec"].to_numpy()
    dob = people["dob"].to_numpy().astype("datetime64[D]")
    female = people["female"].to_numpy()
    serial = np.empty(len(people), dtype=np.int64)
    mig = people["migrant_reg"].to_numpy()
    serial[~mig] = native.take(kec[~mig], dob[~mig])
    serial[mig] = migrants.take(kec[mig], dob[mig])
    return nikmod.compose(kec, dob, female, serial)

"""Planted defects: their rates (one documented dataclass) and the functions that plant them.

Every defect the audits describe (docs DOMAIN.md, "What audits found") has a knob here, so tests and
evaluations can turn one up, down or off (`--defect-rate dtks_nik_missing=0.2`). Each planted
defect is written to the ground truth with the delivered row it sits on; rates are measured from
there, never assumed.

Rate bases (what a rate is a fraction of) are in each field's comment.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from terpadu.simulate.names import MUHAMMAD


@dataclass(frozen=True)
class DefectRates:
    # --- population-level (fraction of all families of a region) --------------------------------
    moved_region: float = 0.02  # family moved to another kab/kota; old sources still list the old place
    # --- DTKS listing (family level) ---------------------------------------------------------------
    dtks_eligible_share: float = 0.35  # bottom share of people (true welfare rank) DTKS aims at
    exclusion_error: float = 0.12  # of eligible families: missing from DTKS
    inclusion_error: float = 0.15  # of listed families: not eligible (true rank above the cut)
    dtks_head_only: float = 0.10  # of listed multi-person families: only the head entered (KPK)
    dead_still_listed: float = 0.60  # of dead members of listed families: still a DTKS row
    dead_still_paid: float = 0.50  # of those dead rows: receipt flags still Y
    # --- DTKS rows (fraction of DTKS person rows before duplication) -------------------------------
    dtks_nik_missing: float = 0.05
    dtks_nik_invalid_region: float = 0.005  # province/kab code that does not exist
    dtks_nik_invalid_date: float = 0.005  # impossible DDMM (day 00/32–39/72+, month 00/13+)
    dtks_nik_shared: float = 0.01  # the NIK of a different person
    dtks_nik_excel_sci: float = 0.004  # '3.57101E+15'
    dtks_nik_excel_15: float = 0.004  # 15 significant digits kept: last digit → 0
    dtks_nik_excel_float: float = 0.004  # stored as number, re-exported: '3571012301900001.0'
    # a structurally valid NIK Dukcapil issued to nobody (real kecamatan and the person's birth date,
    # serial 9000-9999, which no simulated person holds): "NIK tidak padan" at the national matching
    dtks_nik_unregistered: float = 0.003
    dtks_kk_invalid: float = 0.03  # NOKK blank, too short or all zeros (BPK)
    dtks_name_typo: float = 0.03  # one-character slip
    dtks_name_variant: float = 0.04  # Muhammad/M., old spelling, title added/dropped, initials
    dtks_dob_swapped: float = 0.01  # day and month swapped (only where both ≤ 12 and differ)
    dtks_duplicate_row: float = 0.01  # the same row delivered twice
    dtks_cp1252_regions: float = 0.25  # share of regions whose DTKS export is cp1252, not UTF-8
    # --- Regsosek ----------------------------------------------------------------------------------
    regsosek_family_missing: float = 0.05  # of families: not enumerated
    regsosek_nik_missing: float = 0.03  # of individu rows
    regsosek_name_typo: float = 0.02
    regsosek_dob_swapped: float = 0.005
    # --- kab/kota workbooks ------------------------------------------------------------------------
    usulan_rate: float = 0.01  # usulan rows per family of the region
    usulan_already_listed: float = 0.20  # of usulan: person already in DTKS
    usulan_not_eligible: float = 0.25  # of usulan: person not eligible and not listed
    sanggahan_rate: float = 0.01  # sanggahan rows per DTKS-listed family
    sanggahan_right: float = 0.55  # of sanggahan: the objection is true (dead, moved, not eligible)
    ground_check_rate: float = 0.05  # ground-check rows per DTKS-listed family
    ground_check_error: float = 0.05  # of ground checks: HASIL wrong
    ground_check_not_found: float = 0.03  # of ground checks: TIDAK DITEMUKAN
    kabkota_nik_excel: float = 0.05  # of kab/kota NIK cells: Excel damage (three kinds, equally)
    kabkota_nik_missing: float = 0.02  # of usulan rows: NIK blank

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def with_overrides(self, overrides: dict[str, float] | list[str] | None) -> DefectRates:
        """Apply {'name': value} or ['name=value', ...]; unknown names and values outside [0, 1] fail."""
        if not overrides:
            return self
        if not isinstance(overrides, dict):
            parsed = {}
            for item in overrides:
                name, sep, value = item.partition("=")
                if not sep:
                    raise ValueError(f"--defect-rate expects NAME=VALUE, got {item!r}")
                parsed[name.strip()] = value
            overrides = parsed
        clean = {}
        for name, value in overrides.items():
            if name not in self.names():
                raise ValueError(f"unknown defect rate {name!r}; known: {', '.join(self.names())}")
            v = float(value)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"defect rate {name}={v} is outside [0, 1]")
            clean[name] = v
        return dataclasses.replace(self, **clean)


def pick(rng: np.random.Generator, candidates: np.ndarray, rate: float, base: int) -> np.ndarray:
    """Indices of exactly round(rate × base) rows drawn from `candidates` (fewer if too few)."""
    n = min(int(round(rate * base)), len(candidates))
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(rng.choice(candidates, size=n, replace=False))


# --- NIK damage ---------------------------------------------------------------------------------
def nik_invalid_region(rng: np.random.Generator, nik: str) -> str:
    bad = ("99", "00", "10", "30", "45", "80")[int(rng.integers(0, 6))]
    return bad + nik[2:] if rng.random() < 0.6 else nik[:2] + "00" + nik[4:]


def nik_invalid_date(rng: np.random.Generator, nik: str) -> str:
    choice = int(rng.integers(0, 4))
    if choice == 0:
        return nik[:6] + "00" + nik[8:]
    if choice == 1:
        return nik[:6] + str(int(rng.integers(32, 40))) + nik[8:]
    if choice == 2:
        return nik[:6] + str(int(rng.integers(72, 99))) + nik[8:]
    return nik[:8] + ("00", "13", "14", "21")[int(rng.integers(0, 4))] + nik[10:]


def nik_unregistered(rng: np.random.Generator, nik: str) -> str:
    """The NIK's kecamatan and birth date with a serial 9000-9999: structurally valid, issued to nobody
    (natives take serials up to 4999, in-migrants count up from 5001 per kecamatan and birth date)."""
    return nik[:12] + str(9000 + int(rng.integers(0, 1000)))


def nik_excel_sci(nik: str) -> str:
    """What Excel shows and CSV-exports for a NIK typed as a number in a General cell."""
    return f"{int(nik):.5E}"


def nik_excel_15(nik: str) -> str:
    return nik[:15] + "0"


def nik_excel_float(nik: str) -> str:
    return f"{float(int(nik)):.1f}"


# --- names --------------------------------------------------------------------------------------
_KEYBOARD = {c: n for c, n in zip("aeiouynmrstdlkgh", "sdokitbnetdfkjfj", strict=True)}


def name_typo(rng: np.random.Generator, name: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 3:
        return name + name[-1]
    i = letters[int(rng.integers(1, len(letters)))]
    op = int(rng.integers(0, 4))
    if op == 0:  # neighbouring key
        c = name[i]
        r = _KEYBOARD.get(c.lower(), "a")
        return name[:i] + (r.upper() if c.isupper() else r) + name[i + 1:]
    if op == 1:  # dropped letter
        return name[:i] + name[i + 1:]
    if op == 2:  # doubled letter
        return name[:i] + name[i] + name[i:]
    j = i - 1  # transposition
    return name[:j] + name[i] + name[j] + name[i + 1:] if name[j].isalpha() else name[:i] + name[i + 1:]


_OLD_SPELLING = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"), ("kh", "ch"))


def name_variant(rng: np.random.Generator, name: str, female: bool, muslim: bool) -> str:
    """A spelling the same person is plausibly registered under elsewhere."""
    words = name.split(" ")
    if words[0] in MUHAMMAD:
        alts = [m for m in dict.fromkeys(MUHAMMAD) if m != words[0]]
        return " ".join([alts[int(rng.integers(0, len(alts)))], *words[1:]])
    op = int(rng.integers(0, 4))
    if op == 0 and muslim:
        return ("Hj. " if female else "H. ") + name
    if op == 1:
        for new_old in _OLD_SPELLING:
            new, old = new_old
            if new in name[1:]:
                k = name.index(new, 1)
                return name[:k] + old + name[k + len(new):]
    if op == 2 and len(words) >= 3:
        return " ".join([words[0], words[1][0] + ".", *words[2:]])
    if len(words) >= 2:
        if "," in name:  # drop the degree
            return name.split(",")[0]
        return " ".join(words[:-1]) if op == 3 else words[-1] + " " + " ".join(words[:-1])
    return name + ("wati" if female else "to") if op == 3 else name.replace("i", "y", 1) if "i" in name else name + "h"

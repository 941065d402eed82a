"""NIK and KK numbers, vectorised.

NIK = PP KK CC (kecamatan of first registration) + DD MM YY (birth date, day + 40 for women)
+ SSSS (serial from 0001, unique per kecamatan and birth date). KK = kecamatan of issue + issue
date DDMMYY + serial. Both are 16 digits and are held as int64 (no NIK starts with 0, the lowest
province code is 11), converted to text only when a file is written.

Serial uniqueness is what makes a NIK an identifier, so it is enforced, not hoped for:
- people whose first-registration kecamatan lies in the region being generated take serials
  0001–4999 from a per-region counter array indexed by (kecamatan, day) that survives across chunks;
- people first registered in *another* region (in-migrants) take 5001–9999 from one small global
  dictionary, so they can never collide with that other region's natives, whether or not it is
  simulated in the same run.
"""

from __future__ import annotations

import numpy as np

EPOCH_DAY_1900 = np.datetime64("1900-01-01", "D")
DAYS = 200 * 366  # day index range 1900..2099
NATIVE_MAX = 4999
MIGRANT_BASE = 5000


def date_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) int arrays from datetime64[D]."""
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, dd


def compose(kec6: np.ndarray, dob: np.ndarray, female: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """int64 NIKs from kecamatan code digits (PPKKCC as int), birth dates, sex and serials."""
    y, m, d = date_parts(dob)
    dd = d + np.where(female, 40, 0)
    return (kec6.astype(np.int64) * 10**10 + dd.astype(np.int64) * 10**8 + m.astype(np.int64) * 10**6
            + (y % 100).astype(np.int64) * 10**4 + serial.astype(np.int64))


def to_text(values: np.ndarray) -> np.ndarray:
    """int64 → 16-character digit strings (object array)."""
    return np.char.zfill(values.astype(np.int64).astype(str), 16).astype(object)


class RegionSerials:
    """Serial counters for one region's kecamatan (0001–4999), kept across chunks."""

    def __init__(self, kecamatan_codes: list[int]):
        self.index = {code: i for i, code in enumerate(sorted(kecamatan_codes))}
        self.keys = np.array(sorted(kecamatan_codes), dtype=np.int64)
        self.counts = np.zeros((len(self.keys), DAYS), dtype=np.int16)

    def take(self, kec6: np.ndarray, dob_or_issue: np.ndarray) -> np.ndarray:
        """Next free serials for each (kecamatan, date) row, in row order."""
        k = np.searchsorted(self.keys, kec6)
        if len(kec6) and (k.max() >= len(self.keys) or not np.array_equal(self.keys[k], kec6)):
            raise ValueError("kecamatan not in this region's serial table")
        day = (dob_or_issue.astype("datetime64[D]") - EPOCH_DAY_1900).astype(np.int64)
        flat = k * DAYS + day
        order = np.argsort(flat, kind="stable")
        sorted_keys = flat[order]
        start = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
        run = np.arange(len(flat)) - np.repeat(start, np.diff(np.r_[start, len(flat)]))
        rank = np.empty(len(flat), dtype=np.int64)
        rank[order] = run
        base = self.counts.reshape(-1)[flat].astype(np.int64)
        serial = base + rank + 1
        if len(serial) and serial.max() > NATIVE_MAX:
            raise OverflowError("more than 4999 people share a kecamatan and birth date")
        np.add.at(self.counts.reshape(-1), flat, 1)
        return serial


class MigrantSerials:
    """Serials 5001–9999 for people first registered outside the region being generated."""

    def __init__(self):
        self.next: dict[int, int] = {}

    def take(self, kec6: np.ndarray, dob: np.ndarray) -> np.ndarray:
        day = (dob.astype("datetime64[D]") - EPOCH_DAY_1900).astype(np.int64)
        out = np.empty(len(kec6), dtype=np.int64)
        for i, key in enumerate((kec6.astype(np.int64) * DAYS + day).tolist()):
            s = self.next.get(key, MIGRANT_BASE + 1)
            self.next[key] = s + 1
            out[i] = s
        return out

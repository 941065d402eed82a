"""NIK (Nomor Induk Kependudukan) checks: PP KK CC DDMMYY SSSS, day + 40 for women, no check digit.

`check_nik` classifies a value as delivered; it never repairs it. Excel damage is recognised by
its number-like forms (scientific notation, a trailing `.0`, or the zeros Excel leaves when it
rounds 16 digits to 15 significant ones) because a damaged NIK must not be matched to anyone.

`nik_status_sql` is the same classification as a DuckDB SQL expression, so bulk checks (ingest,
dbt staging) agree with this module; tests hold the two together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from terpadu.reference import districts

VALID = "valid"
MISSING = "missing"
EXCEL_MANGLED = "excel_mangled"
NOT_16_DIGITS = "not_16_digits"
INVALID_REGION = "invalid_region"
INVALID_DATE = "invalid_date"
STATUSES = (VALID, MISSING, EXCEL_MANGLED, NOT_16_DIGITS, INVALID_REGION, INVALID_DATE)
# Statuses that make a value unusable as an identifier at all (vs. a structurally sound number
# whose region or date part looks wrong): ingest quarantines these in *required* NIK columns.
UNUSABLE = (MISSING, EXCEL_MANGLED, NOT_16_DIGITS)

# Number-like forms Excel produces: 3.51711E+15, 3517112345678900.0, 3,517,112,345,678,900.
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE][+]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+[.,][0-9]*")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){3,}")
_DIGITS16 = re.compile(r"[0-9]{16}")


@dataclass(frozen=True)
class NikCheck:
    status: str
    reason: str
    value: str | None = None  # the trimmed input
    birth_date: date | None = None  # decoded only when valid
    sex: str | None = None  # '1' laki-laki, '2' perempuan (contract SEX coding), only when valid

    @property
    def is_valid(self) -> bool:
        return self.status == VALID


@lru_cache(maxsize=1)
def kecamatan_codes() -> frozenset[str]:
    """6-digit kecamatan codes (no dots) from the Kemendagri reference list."""
    return frozenset(code.replace(".", "") for code in districts())


def decode_birth_date(digits: str, today: date | None = None) -> date | None:
    """DDMMYY with day + 40 for women; the century is the latest one not in the future."""
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40
    today = today or date.today()
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        return date(year, month, day)
    except ValueError:
        return None


def check_nik(raw: str | None) -> NikCheck:
    if raw is None:
        return NikCheck(MISSING, "no NIK given")
    value = str(raw).strip()
    if not value:
        return NikCheck(MISSING, "no NIK given", value)
    if _SCIENTIFIC.fullmatch(value) or _DECIMAL.fullmatch(value) or _THOUSANDS.fullmatch(value):
        return NikCheck(EXCEL_MANGLED, f"{value!r} is a number as Excel writes it (digits are lost); "
                        "ask the sender to format the column as Text and re-export", value)
    if _DIGITS16.fullmatch(value) and value.endswith("0000"):
        # Serials start at 0001; 0000 is what Excel leaves when it rounds 16 digits to 15.
        return NikCheck(EXCEL_MANGLED, f"{value!r} ends in serial 0000, the trace of Excel rounding "
                        "a NIK to 15 significant digits", value)
    if not _DIGITS16.fullmatch(value):
        return NikCheck(NOT_16_DIGITS, f"{value!r} is not 16 digits ({len(value)} characters)", value)
    if value[:6] not in kecamatan_codes():
        return NikCheck(INVALID_REGION, f"{value[:2]}.{value[2:4]}.{value[4:6]} is not a Kemendagri "
                        "kecamatan code", value)
    born = decode_birth_date(value)
    if born is None:
        return NikCheck(INVALID_DATE, f"birth date part {value[6:12]} (DDMMYY, day + 40 for women) "
                        "is not a calendar date", value)
    sex = "2" if int(value[6:8]) > 40 else "1"
    return NikCheck(VALID, "valid", value, born, sex)


def nik_status_sql(expr: str, kecamatan_table: str | None = None) -> str:
    """A DuckDB SQL expression giving `check_nik(expr).status`.

    `kecamatan_table` names a table with one VARCHAR column `code` of 6-digit kecamatan codes;
    without it the region check is skipped (structural checks only, as ingest needs).
    """
    v = f"trim({expr})"
    year_now = date.today().year % 100
    day = f"CAST(substr({v}, 7, 2) AS INTEGER)"
    dd = f"(CASE WHEN {day} > 40 THEN {day} - 40 ELSE {day} END)"
    yy = f"CAST(substr({v}, 11, 2) AS INTEGER)"
    year = f"(CASE WHEN {yy} <= {year_now} THEN 2000 + {yy} ELSE 1900 + {yy} END)"
    birth = (f"try_strptime(lpad(CAST({dd} AS VARCHAR), 2, '0') || substr({v}, 9, 2) || "
             f"CAST({year} AS VARCHAR), '%d%m%Y')")
    region = (f"WHEN substr({v}, 1, 6) NOT IN (SELECT code FROM {kecamatan_table}) THEN '{INVALID_REGION}'"
              if kecamatan_table else "")
    return (
        f"(CASE WHEN {expr} IS NULL OR {v} = '' THEN '{MISSING}' "
        f"WHEN regexp_full_match({v}, '{_SCIENTIFIC.pattern}') OR regexp_full_match({v}, '{_DECIMAL.pattern}') "
        f"OR regexp_full_match({v}, '{_THOUSANDS.pattern}') "
        f"OR (regexp_full_match({v}, '[0-9]{{16}}') AND suffix({v}, '0000')) THEN '{EXCEL_MANGLED}' "
        f"WHEN NOT regexp_full_match({v}, '[0-9]{{16}}') THEN '{NOT_16_DIGITS}' "
        f"{region} "
        f"WHEN {day} > 71 OR {birth} IS NULL THEN '{INVALID_DATE}' "
        f"ELSE '{VALID}' END)"
    )

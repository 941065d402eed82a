"""The readiness report's sections on a region's worklist marts: sanggahan past the SLA, ground-check
progress, usulan, and the clerical-review pairs waiting for a decision; and the ground-check
completion of flagged persons, from the readiness mart's newer columns.

Those marts (fct_sanggahan, fct_ground_checks, fct_usulan, fct_clerical_review) and columns came after
the first releases. A run folder without one of them, or with an older version that lacks a column
read here, gets a section with `available: False`, which the report shows as "belum tersedia pada run
ini": never an error, never a zero that was not counted.

Every section is a plain dict (JSON-friendly apart from dates) used by the HTML template, the PDF
and the manifest alike, so the three always show the same numbers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb

from terpadu.publish import charts

log = logging.getLogger(__name__)

UNAVAILABLE = "belum tersedia pada run ini"
DEFAULT_SLA_DAYS = 14  # Cek Bansos: a sanggahan the region does not verify within 14 days is not accepted
OLDEST_SHOWN = 10  # open sanggahan listed by name in the report (masked NIK)

# The columns each section reads (the data contract of the marts); extra columns are ignored.
SANGGAHAN_COLUMNS = ("sanggahan_id", "region_code", "kecamatan_code", "desa_code", "nik", "person_id",
                     "reason", "objection_date", "verification_status", "decision_date", "days_open",
                     "sla_days", "is_past_sla", "is_open")
GROUND_CHECK_COLUMNS = ("ground_check_id", "region_code", "kecamatan_code", "desa_code", "nik", "result",
                        "checked_date", "period", "applies_from_period", "effect")
USULAN_COLUMNS = ("usulan_id", "region_code", "kecamatan_code", "desa_code", "outcome", "outcome_reason")
COMPLETION_COLUMNS = ("region_code", "persons_flagged", "persons_flagged_ground_checked",  # fct_region_readiness
                      "ground_check_completion_rate")
CLERICAL_COLUMNS = ("review_id", "region_code", "kecamatan_code", "desa_code", "source", "source_record_id",
                    "record_nik", "candidate_nik", "match_probability", "reason", "action")

GROUND_CHECK_RESULTS = {  # HASIL of a ground check → what it means (docs/SURVIVORSHIP.md)
    "LAYAK": ("keluarga layak: penerimaan program saat ini dikonfirmasi", charts.OK),
    "TIDAK LAYAK": ("keluarga tidak layak untuk semua program", charts.ACCENT),
    "PINDAH": ("orang sudah pindah domisili", charts.WARN),
    "MENINGGAL": ("orang sudah meninggal: tidak lagi layak menerima program", charts.BAD),
    "TIDAK DITEMUKAN": ("orang tidak ditemukan saat kunjungan: tidak ada perubahan, jadwalkan kunjungan ulang",
                        charts.NEUTRAL),
}
USULAN_OUTCOMES = {  # fct_usulan.outcome → (label in the chart, what it means, colour)
    "baru_cocok_dukcapil": ("baru, cocok Dukcapil", "baru, NIK cocok dengan Dukcapil: dapat diproses", charts.OK),
    "sudah_terdaftar": ("sudah terdaftar", "sudah terdaftar di DTKS: tidak perlu diusulkan lagi", charts.NEUTRAL),
    "nik_tidak_valid": ("NIK tidak valid", "NIK tidak valid: perbaiki NIK lalu ajukan ulang", charts.BAD),
    "nik_tidak_ditemukan": ("NIK tidak ditemukan", "NIK tidak ditemukan di Dukcapil: verifikasi ke Dukcapil",
                            charts.WARN),
}
SOURCE_LABELS = {"dtks": "DTKS (Kemensos)", "regsosek": "Regsosek (BPS)"}

_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"]


def format_period(value: Any) -> str:
    """'202611' → 'November 2026' (anything else is shown as it is)."""
    text = "" if value is None else str(value)
    if len(text) == 6 and text.isdigit() and 1 <= int(text[4:]) <= 12:
        return f"{_MONTHS[int(text[4:]) - 1]} {text[:4]}"
    return text or "–"


def _num(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class RegionMart:
    """One optional mart, read for one region: `query(sql)` runs `sql` against a CTE `m` holding the
    region's rows. `available` is False when the file is missing, unreadable, or lacks a column of
    `required`; `reason` then says which."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, region_code: str, required: tuple[str, ...]):
        self.con, self.path, self.region_code = con, path, region_code
        self.columns: set[str] = set()
        self.available, self.reason = False, "file missing"
        if not path.exists():
            return
        try:
            cursor = con.execute("select * from read_parquet(?) limit 0", [str(path)])
            self.columns = {d[0] for d in cursor.description}
        except duckdb.Error as error:
            self.reason = f"unreadable: {error}"
            log.warning("%s: %s", path, self.reason)
            return
        missing = [c for c in required if c not in self.columns]
        if missing:
            self.reason = f"missing columns {', '.join(missing)}"
            log.warning("%s lacks %s: its report section is shown as not available", path, ", ".join(missing))
            return
        self.available, self.reason = True, ""

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(f"with m as (select * from read_parquet(?) where region_code = ?) {sql}",
                                  [str(self.path), self.region_code, *(params or [])])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _kecamatan_name(code: str | None, names: dict[str, str]) -> str:
    if code is None:
        return "tanpa kecamatan (orangnya tidak ditemukan di daerah ini)"
    return names.get(code, "tidak diketahui")


def sanggahan(con, path: Path, region_code: str, kecamatan_names: dict[str, str],
              villages: dict[str, str]) -> dict:
    """Counts by status, per kecamatan, and the oldest undecided ones (masked NIK in the report)."""
    mart = RegionMart(con, path, region_code, SANGGAHAN_COLUMNS)
    if not mart.available:
        return {"available": False, "why": mart.reason}
    totals = mart.query(
        "select count(*) as total, count(*) filter (where is_open) as open, "
        "count(*) filter (where is_past_sla) as past_sla, "
        "count(*) filter (where verification_status = 'DITERIMA') as accepted, "
        "count(*) filter (where verification_status = 'DITOLAK') as rejected, "
        "max(sla_days) as sla_days, max(days_open) filter (where is_open) as oldest_days from m")[0]
    sla_days = int(totals["sla_days"]) if totals["sla_days"] is not None else DEFAULT_SLA_DAYS
    by_kecamatan = mart.query(
        "select kecamatan_code, count(*) as total, count(*) filter (where is_open) as open, "
        "count(*) filter (where is_past_sla) as past_sla, max(days_open) filter (where is_open) as oldest_days "
        "from m group by kecamatan_code order by past_sla desc, open desc, kecamatan_code nulls last")
    for row in by_kecamatan:
        row["name"] = _kecamatan_name(row["kecamatan_code"], kecamatan_names)
    oldest = mart.query(
        "select sanggahan_id, nik, kecamatan_code, desa_code, objection_date, days_open, is_past_sla, reason "
        "from m where is_open order by days_open desc nulls last, objection_date, sanggahan_id limit ?",
        [OLDEST_SHOWN])
    for row in oldest:
        row["desa_name"] = villages.get(row["desa_code"], "") if row["desa_code"] else ""
    open_in_time = totals["open"] - totals["past_sla"]
    status_rows = [
        (f"melewati {sla_days} hari", totals["past_sla"], _num(totals["past_sla"]), charts.BAD),
        ("terbuka, masih dalam batas", open_in_time, _num(open_in_time), charts.WARN),
        ("diterima", totals["accepted"], _num(totals["accepted"]), charts.OK),
        ("ditolak", totals["rejected"], _num(totals["rejected"]), charts.NEUTRAL),
    ]
    late_kecamatan = [row for row in by_kecamatan if row["past_sla"]]
    return {
        "available": True, **totals, "sla_days": sla_days, "open_in_time": open_in_time,
        "by_kecamatan": by_kecamatan, "oldest": oldest,
        "status_chart": charts.bars(status_rows, "Sanggahan menurut status") if totals["total"] else "",
        "kecamatan_chart": charts.bars(
            [(row["name"], row["past_sla"], _num(row["past_sla"]), charts.BAD) for row in late_kecamatan],
            f"Sanggahan melewati batas {sla_days} hari per kecamatan") if len(late_kecamatan) > 1 else "",
    }


def ground_checks(con, path: Path, region_code: str, kecamatan_names: dict[str, str], readiness: dict) -> dict:
    """Checks by result and per kecamatan; how many already apply in this run and from which period."""
    mart = RegionMart(con, path, region_code, GROUND_CHECK_COLUMNS)
    if not mart.available:
        return {"available": False, "why": mart.reason}
    has_applied = "is_applied" in mart.columns
    applied_sql = "count(*) filter (where is_applied)" if has_applied else "null"
    counts = {row["result"]: row["checks"] for row in mart.query(
        "select result, count(*) as checks from m group by result")}
    results = [{"result": name, "meaning": meaning, "checks": counts.get(name, 0)}
               for name, (meaning, _) in GROUND_CHECK_RESULTS.items()]
    results += [{"result": name, "meaning": "hasil tidak dikenal", "checks": n}
                for name, n in sorted(counts.items(), key=lambda kv: str(kv[0])) if name not in GROUND_CHECK_RESULTS]
    total = sum(counts.values())
    summary = mart.query(f"select {applied_sql} as applied, max(checked_date) as last_checked from m")[0]
    applied = summary["applied"]
    if applied is None and readiness.get("ground_checks_applied") is not None:
        applied = int(readiness["ground_checks_applied"])  # an older mart: the readiness mart's count
    by_period = mart.query(f"select applies_from_period, count(*) as checks, {applied_sql} as applied from m "
                           "group by applies_from_period order by applies_from_period nulls last")
    for row in by_period:
        row["label"] = format_period(row["applies_from_period"])
    per_kecamatan: dict[Any, dict] = {}
    for row in mart.query(f"select kecamatan_code, result, count(*) as checks, {applied_sql} as applied from m "
                          "group by all order by kecamatan_code nulls last, result"):
        entry = per_kecamatan.setdefault(row["kecamatan_code"], {
            "kecamatan_code": row["kecamatan_code"], "name": _kecamatan_name(row["kecamatan_code"], kecamatan_names),
            "total": 0, "applied": 0 if has_applied else None, "by_result": {}})
        entry["by_result"][row["result"]] = row["checks"]
        entry["total"] += row["checks"]
        if has_applied:
            entry["applied"] += row["applied"]
    colours = {name: colour for name, (_, colour) in GROUND_CHECK_RESULTS.items()}
    chart_rows = [(r["result"], r["checks"], _num(r["checks"]), colours.get(r["result"])) for r in results]
    return {
        "available": True, "total": total, "results": results, "applied": applied,
        "pending": None if applied is None else total - applied, "last_checked": summary["last_checked"],
        "by_period": by_period, "by_kecamatan": list(per_kecamatan.values()),
        "result_names": [r["result"] for r in results],
        "chart": charts.bars(chart_rows, "Ground check menurut hasil") if total else "",
    }


def usulan(con, path: Path, region_code: str) -> dict:
    """Proposals by outcome (what the registry can do with them)."""
    mart = RegionMart(con, path, region_code, USULAN_COLUMNS)
    if not mart.available:
        return {"available": False, "why": mart.reason}
    rows = mart.query("select outcome, count(*) as usulan from m group by outcome order by usulan desc, outcome")
    for row in rows:
        row["short"], row["label"], row["colour"] = USULAN_OUTCOMES.get(
            row["outcome"], (str(row["outcome"]), str(row["outcome"]), None))
    total = sum(row["usulan"] for row in rows)
    return {
        "available": True, "total": total, "by_outcome": rows,
        "chart": charts.bars([(row["short"], row["usulan"], _num(row["usulan"]), row["colour"]) for row in rows],
                             "Usulan menurut hasil pemeriksaan") if total else "",
    }


def clerical_review(con, path: Path, region_code: str, kecamatan_names: dict[str, str]) -> dict:
    """Candidate pairs (a DTKS/Regsosek record and a Dukcapil person) an operator must decide."""
    mart = RegionMart(con, path, region_code, CLERICAL_COLUMNS)
    if not mart.available:
        return {"available": False, "why": mart.reason}
    totals = mart.query("select count(*) as pairs, count(distinct (source, source_record_id)) as records from m")[0]
    by_source = mart.query("select source, count(*) as pairs, count(distinct source_record_id) as records "
                           "from m group by source order by source")
    for row in by_source:
        row["label"] = SOURCE_LABELS.get(row["source"], str(row["source"]))
    by_kecamatan = mart.query("select kecamatan_code, count(*) as pairs, "
                              "count(distinct (source, source_record_id)) as records from m "
                              "group by kecamatan_code order by pairs desc, kecamatan_code nulls last")
    for row in by_kecamatan:
        row["name"] = _kecamatan_name(row["kecamatan_code"], kecamatan_names)
    return {"available": True, **totals, "by_source": by_source, "by_kecamatan": by_kecamatan}


def ground_check_completion(con, path: Path, region_code: str) -> dict:
    """Of the region's persons carrying at least one flag, how many a ground check has visited (any
    result, any period up to the run's): the readiness mart's persons_flagged,
    persons_flagged_ground_checked and ground_check_completion_rate, shown as they are.

    `rate` is None when nobody in the region is flagged (the mart's NULL): the report says "tidak ada
    data bertanda" there, not 0 %. A readiness mart from before these columns is not available."""
    mart = RegionMart(con, path, region_code, COMPLETION_COLUMNS)
    if not mart.available:
        return {"available": False, "why": mart.reason}
    rows = mart.query("select persons_flagged as flagged, persons_flagged_ground_checked as checked, "
                      "ground_check_completion_rate as rate from m")
    if not rows:
        return {"available": False, "why": "no readiness row for the region"}
    row = rows[0]
    rate = None if row["rate"] is None or row["rate"] != row["rate"] else float(row["rate"])  # NULL (or NaN)
    flagged, checked = row["flagged"], row["checked"]
    not_checked = flagged - checked if flagged is not None and checked is not None else None
    return {"available": True, "flagged": flagged, "checked": checked, "rate": rate,
            "not_checked": None if rate is None else not_checked}

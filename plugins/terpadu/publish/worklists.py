"""Correction worklists: one Excel workbook per kecamatan for the region's own operators.

Sheets, each row saying what is wrong and what to do, with an empty column for the operator's answer:
  <flag_type>          one per flag type of fct_person_flags (NIK not in Dukcapil, shared NIK, dead
                       recipient, moved out, ...)
  clerical_review      candidate pairs to decide: a DTKS/Regsosek record and a Dukcapil person that may
                       be the same (fct_clerical_review)
  sanggahan_lewat_sla  sanggahan still undecided after the SLA (fct_sanggahan, is_past_sla); a NIK Excel
                       damaged in the workbook is shown as typed, with the NIK it was matched to

NIK cells are text (number format '@') so Excel never turns them into 3.51E+15 or drops a leading
zero. Full NIKs are deliberate here: the worklists are for the region's operators only (UU PDP).
A missing clerical-review or sanggahan mart (runs built before them) just means no such sheet; the
readiness report says the data is not available.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from terpadu import reference
from terpadu.publish.sections import CLERICAL_COLUMNS, SANGGAHAN_COLUMNS, SOURCE_LABELS, RegionMart
from terpadu.runs import run_dir
from terpadu.settings import Settings

NO_KECAMATAN = "tanpa_kecamatan"
# fct_sanggahan.nik_match_method of a workbook NIK Excel damaged and int_workbook_niks_matched repaired
EXCEL_REPAIRS = {"excel_float": "tertulis sebagai angka desimal", "excel_15": "digit ke-16 hilang",
                 "excel_sci_name": "tertulis sebagai notasi ilmiah, dicocokkan lewat nama"}
CLERICAL_SHEET = "clerical_review"
SANGGAHAN_SHEET = "sanggahan_lewat_sla"


@dataclass
class Sheet:
    header: list[str]
    text_columns: tuple[int, ...]  # 1-based columns holding a NIK: stored as text
    widths: dict[str, float] = field(default_factory=dict)
    formats: dict[int, str] = field(default_factory=dict)  # 1-based column → number format
    rows: list[list] = field(default_factory=list)


def _select(mart: RegionMart, columns: tuple[str, ...]) -> str:
    """The columns a sheet shows; one an older mart lacks is read as null (never an error)."""
    return ", ".join(c if c in mart.columns else f"null as {c}" for c in columns)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _programmes(row: dict) -> str:
    names = [name for key, name in (("receives_pkh", "PKH"), ("receives_bpnt", "BPNT"), ("receives_pbi", "PBI-JK"))
             if row.get(key)]
    return ", ".join(names) or "-"


def _flag_sheets(con, run_id: str, region_code: str, settings: Settings, villages: dict[str, str],
                 books: dict[str, dict[str, Sheet]]) -> None:
    path = run_dir(run_id, settings) / "marts" / "fct_person_flags.parquet"
    cursor = con.execute("select kecamatan_code, flag_type, person_id, nik, full_name, desa_code, reason, action "
                         "from read_parquet(?) where region_code = ? order by kecamatan_code, flag_type, person_id",
                         [str(path), region_code])
    for kecamatan, flag_type, person_id, nik, name, desa, reason, action in cursor.fetchall():
        sheet = books.setdefault(kecamatan or NO_KECAMATAN, {}).setdefault(flag_type[:31], Sheet(
            ["person_id", "NIK", "nama", "kode_desa", "desa/kelurahan", "alasan", "tindakan", "hasil_verifikasi"],
            text_columns=(2,), widths={"B": 20, "C": 28}))
        sheet.rows.append([person_id, _text(nik), name, desa, villages.get(desa, ""), reason, action, ""])


def _clerical_sheets(con, path: Path, region_code: str, villages: dict[str, str],
                     books: dict[str, dict[str, Sheet]]) -> None:
    mart = RegionMart(con, path, region_code, CLERICAL_COLUMNS)
    if not mart.available:
        return
    shown = ("kecamatan_code", "review_id", "source", "source_record_id", "record_nik", "record_name",
             "record_birth_date", "candidate_nik", "candidate_name", "candidate_birth_date", "candidate_person_id",
             "match_probability", "desa_code", "reason", "action")
    rows = mart.query(f"select {_select(mart, shown)} from m "
                      "order by kecamatan_code nulls last, source, source_record_id, match_probability desc, review_id")
    for row in rows:
        sheet = books.setdefault(row["kecamatan_code"] or NO_KECAMATAN, {}).setdefault(CLERICAL_SHEET, Sheet(
            ["review_id", "NIK rekaman", "nama rekaman", "tgl lahir rekaman", "sumber", "id rekaman",
             "NIK kandidat (Dukcapil)", "nama kandidat", "tgl lahir kandidat", "person_id kandidat",
             "peluang sama orang", "kode_desa", "desa/kelurahan", "masalah", "tindakan",
             "keputusan (SAMA / BUKAN)"],
            text_columns=(2, 7), widths={"B": 20, "C": 26, "G": 22, "H": 26, "N": 60, "O": 70, "P": 22},
            formats={4: "yyyy-mm-dd", 9: "yyyy-mm-dd", 11: "0.0%"}))
        problem = ("mungkin orang yang sama, tetapi belum pasti: " + row["reason"]) if row["reason"] else \
            "mungkin orang yang sama, tetapi belum pasti"
        sheet.rows.append([
            row["review_id"], _text(row["record_nik"]), row["record_name"], row["record_birth_date"],
            SOURCE_LABELS.get(row["source"], row["source"]), row["source_record_id"], _text(row["candidate_nik"]),
            row["candidate_name"], row["candidate_birth_date"], row["candidate_person_id"],
            row["match_probability"], row["desa_code"], villages.get(row["desa_code"], ""), problem,
            row["action"] or "Cocokkan dengan KTP/KK warga lalu isi kolom keputusan", "",
        ])


def _sanggahan_sheets(con, path: Path, region_code: str, villages: dict[str, str],
                      books: dict[str, dict[str, Sheet]]) -> None:
    mart = RegionMart(con, path, region_code, SANGGAHAN_COLUMNS)
    if not mart.available:
        return
    shown = ("kecamatan_code", "sanggahan_id", "nik", "person_id", "desa_code", "objection_date", "days_open",
             "sla_days", "reason", "receives_pkh", "receives_bpnt", "receives_pbi", "nik_match_method", "matched_nik")
    rows = mart.query(f"select {_select(mart, shown)} from m where is_past_sla "
                      "order by kecamatan_code nulls last, days_open desc nulls last, objection_date, sanggahan_id")
    for row in rows:
        sheet = books.setdefault(row["kecamatan_code"] or NO_KECAMATAN, {}).setdefault(SANGGAHAN_SHEET, Sheet(
            ["sanggahan_id", "NIK tersanggah", "person_id", "kode_desa", "desa/kelurahan", "tgl sanggahan",
             "hari terbuka", "batas (hari)", "menerima program", "alasan sanggahan", "masalah", "tindakan",
             "hasil_verifikasi (DITERIMA / DITOLAK)", "tgl keputusan"],
            text_columns=(2,), widths={"B": 20, "J": 34, "K": 60, "L": 70, "M": 24},
            formats={6: "yyyy-mm-dd", 14: "yyyy-mm-dd"}))
        sla = row["sla_days"] or 14
        problem = (f"belum diverifikasi {row['days_open']} hari sejak diajukan; batas {sla} hari terlewati. "
                   "Menurut aturan Cek Bansos sanggahan yang tidak diverifikasi tepat waktu dianggap tidak diterima")
        action = ("Verifikasi segera ke lapangan (cek alasan sanggahan pada orang tersanggah), isi hasil_verifikasi "
                  "DITERIMA atau DITOLAK dan tgl keputusan, lalu kirim pada lembar sanggahan periode berikutnya")
        if row["person_id"] is None:
            action = ("NIK tersanggah tidak cocok dengan orang mana pun di registri: periksa NIK pada sanggahan, "
                      "lalu " + action[0].lower() + action[1:])
        elif row["nik_match_method"] in EXCEL_REPAIRS:
            problem += (f". NIK pada sanggahan rusak oleh Excel ({EXCEL_REPAIRS[row['nik_match_method']]}); "
                        f"dicocokkan ke NIK {row['matched_nik']}")
            action = (f"Tulis ulang NIK tersanggah sebagai teks ({row['matched_nik']}, cek dengan KTP/KK), lalu "
                      + action[0].lower() + action[1:])
        sheet.rows.append([
            row["sanggahan_id"], _text(row["nik"]), row["person_id"], row["desa_code"],
            villages.get(row["desa_code"], "") if row["desa_code"] else "", row["objection_date"], row["days_open"],
            sla, _programmes(row), row["reason"], problem, action, "", None,
        ])


def write_worklists(con, run_id: str, region_code: str, folder: Path, settings: Settings) -> list[Path]:
    """One workbook per kecamatan that has anything to fix or decide; returns their paths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    villages = dict(reference.villages_by_regency().get(region_code, []))
    marts = run_dir(run_id, settings) / "marts"
    books: dict[str, dict[str, Sheet]] = {}
    _flag_sheets(con, run_id, region_code, settings, villages, books)
    _clerical_sheets(con, marts / "fct_clerical_review.parquet", region_code, villages, books)
    _sanggahan_sheets(con, marts / "fct_sanggahan.parquet", region_code, villages, books)
    paths = []
    folder.mkdir(parents=True, exist_ok=True)
    for kecamatan in sorted(books):
        book = Workbook()
        book.remove(book.active)
        for name, spec in books[kecamatan].items():
            sheet = book.create_sheet(name)
            sheet.append(spec.header)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in spec.rows:
                sheet.append(row)
                for column in spec.text_columns:
                    sheet.cell(row=sheet.max_row, column=column).number_format = "@"
                for column, number_format in spec.formats.items():
                    sheet.cell(row=sheet.max_row, column=column).number_format = number_format
            for letter, width in spec.widths.items():
                sheet.column_dimensions[letter].width = width
            sheet.freeze_panes = "A2"
        path = folder / f"{kecamatan}.xlsx"
        book.save(path)
        paths.append(path)
    return paths

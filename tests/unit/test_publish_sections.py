"""The release's worklist sections: sanggahan past the SLA, ground-check progress (and the ground-check
completion of flagged persons), usulan and the clerical-review pairs, in the readiness report (HTML),
the printable PDF and the worklists — with the marts present, and for run folders built before them
(the sections say so; nothing is invented)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from terpadu import reference
from terpadu.publish import publish_region, sections
from terpadu.quality import validate_region
from terpadu.storage import open_store

from tests.unit.test_quality_fixtures import REGION_A, REGION_B, build_marts, make_settings, nik_for, write_run

R1 = "20261001T000000Z"
OPTIONAL_MARTS = ("fct_sanggahan", "fct_ground_checks", "fct_usulan", "fct_clerical_review")
NEW_READINESS_COLUMNS = ("sanggahan_total", "sanggahan_open", "sanggahan_past_sla", "usulan_total",
                         "ground_checks_total", "ground_checks_applied", "clerical_review_pairs")
UNKNOWN_NIK = "3510019999990001"  # a sanggahan whose NIK names nobody: no person, no kecamatan
COMPLETION_COLUMNS = ("persons_flagged", "persons_flagged_ground_checked", "ground_check_completion_rate")


def _person(frames, region_code: str, i: int) -> dict:
    return frames["dim_persons"].set_index("person_id").loc[f"{region_code}-P{i:05d}"].to_dict() | {
        "person_id": f"{region_code}-P{i:05d}"}


def _append(frames, mart: str, rows: list[dict]) -> None:
    frame = frames[mart]
    frames[mart] = pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True).astype(
        frame.dtypes.to_dict())


def rich_marts() -> dict[str, pd.DataFrame]:
    """The shared fixture plus, in region A: three sanggahan past the 14-day SLA (one per kecamatan
    and one whose NIK names nobody), a ground check of every result (two applied), four usulan and
    a record with two candidates in clerical review. Region B has no sanggahan at all."""
    frames = build_marts()
    # person i lives in the fixture's kecamatan 1 when i % 10 % 4 is 0 or 1, else in kecamatan 2
    p2, p6, p7, p8 = (_person(frames, REGION_A, i) for i in (2, 6, 7, 8))
    base = frames["fct_sanggahan"].iloc[0].to_dict()

    def objection(sid, person, days, nik=None):
        return {**base, "sanggahan_id": sid, "kecamatan_code": person and person["kecamatan_code"],
                "desa_code": person and person["desa_code"], "nik": nik or person["nik"],
                "person_id": person and person["person_id"], "family_id": person and person["family_id"],
                "desil": person and person["desil"], "verification_status": "BELUM", "decision_date": None,
                "days_open": days, "is_past_sla": days > 14, "is_open": True,
                "objection_date": date(2026, 10, 1) - timedelta(days=days)}

    _append(frames, "fct_sanggahan", [objection("SGH-A-30", p8, 30), objection("SGH-A-16", p2, 16),
                                      objection("SGH-A-NONE", None, 15, nik=UNKNOWN_NIK),
                                      objection("SGH-A-OPEN", p6, 5)])
    frames["fct_sanggahan"] = frames["fct_sanggahan"][frames["fct_sanggahan"].region_code != REGION_B]

    check = frames["fct_ground_checks"].iloc[0].to_dict()
    _append(frames, "fct_ground_checks", [
        {**check, "ground_check_id": f"GC-A-{result}", "kecamatan_code": p2["kecamatan_code"],
         "desa_code": p2["desa_code"], "nik": p2["nik"], "person_id": p2["person_id"], "family_id": p2["family_id"],
         "result": result, "period": "202609", "applies_from_period": "202610", "application_status": status,
         "is_applied": status == "diterapkan"}
        for result, status in (("PINDAH", "diterapkan"), ("MENINGGAL", "diterapkan"),
                               ("TIDAK DITEMUKAN", "tanpa_efek"))])

    proposal = frames["fct_usulan"].iloc[0].to_dict()
    _append(frames, "fct_usulan", [{**proposal, "usulan_id": f"USL-A-BAD-{k}", "outcome": "nik_tidak_valid",
                                    "outcome_reason": "NIK kosong"} for k in range(2)])

    pair = frames["fct_clerical_review"].iloc[0].to_dict()
    _append(frames, "fct_clerical_review", [
        {**pair, "review_id": f"CR-A-7-{k}", "kecamatan_code": p7["kecamatan_code"], "desa_code": p7["desa_code"],
         "source": "dtks", "source_record_id": "dtks-77", "record_nik": nik_for(REGION_A, 7),
         "record_name": "Warga Tujuh", "candidate_person_id": candidate["person_id"],
         "candidate_nik": candidate["nik"], "candidate_name": candidate["full_name"], "match_probability": prob,
         "reason": f"kecocokan {prob:.0%} di bawah ambang cocok", "action": "Cocokkan dengan KTP/KK warga"}
        for k, (candidate, prob) in enumerate(((p7, 0.81), (p6, 0.64)))])

    readiness = frames["fct_region_readiness"]
    a = readiness.region_code == REGION_A
    readiness.loc[a, ["sanggahan_total", "sanggahan_open", "sanggahan_past_sla", "usulan_total",
                      "ground_checks_total", "ground_checks_applied", "clerical_review_pairs"]] = [7, 5, 3, 4, 5, 2, 4]
    readiness.loc[~a, ["sanggahan_total", "sanggahan_open", "sanggahan_past_sla"]] = [0, 0, 0]
    # ground-check completion: 3 of region A's 8 flagged persons visited; nobody flagged in B (NULL rate)
    readiness.loc[a, list(COMPLETION_COLUMNS)] = [8, 3, 0.375]
    readiness.loc[~a, list(COMPLETION_COLUMNS)] = [0, 0, None]
    return frames


def _publish(settings, frames, regions=(REGION_A, REGION_B), drop=(), drop_readiness=()) -> dict:
    write_run(settings, R1, frames)
    for code in regions:
        assert validate_region(R1, code, settings)["passed"]
    marts = settings.state_dir / "runs" / R1 / "marts"
    if drop:  # a run folder from before the worklist marts: the gate ran on what it had then
        for mart in drop:
            (marts / f"{mart}.parquet").unlink()
        drop_readiness = (*NEW_READINESS_COLUMNS, *drop_readiness)
    if drop_readiness:  # an older readiness mart, without these columns
        frames["fct_region_readiness"].drop(columns=list(drop_readiness)).to_parquet(
            marts / "fct_region_readiness.parquet", index=False)
    return {code: publish_region(R1, code, settings) for code in regions}


def _release(settings, region_code: str) -> Path:
    return Path(open_store(settings.object_store_url).root) / "releases" / region_code / R1


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def present(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = make_settings(tmp_path_factory.mktemp("present"), monkeypatch)
        results = _publish(settings, rich_marts())
    assert {r["status"] for r in results.values()} == {"published"}
    return settings


@pytest.fixture(scope="module")
def absent(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = make_settings(tmp_path_factory.mktemp("absent"), monkeypatch)
        results = _publish(settings, rich_marts(), regions=(REGION_A,), drop=OPTIONAL_MARTS)
    assert results[REGION_A]["status"] == "published"
    return settings


@pytest.fixture(scope="module")
def without_completion(tmp_path_factory):
    """A run whose readiness mart predates the ground-check completion columns (worklist marts present)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = make_settings(tmp_path_factory.mktemp("without_completion"), monkeypatch)
        results = _publish(settings, rich_marts(), drop_readiness=COMPLETION_COLUMNS)
    assert {r["status"] for r in results.values()} == {"published"}
    return settings


def _html_text(path: Path) -> str:
    return _squash(re.sub(r"<[^>]+>", " ", path.read_text()))


# --- the readiness report -------------------------------------------------------------------------
def test_report_shows_sanggahan_past_sla_per_kecamatan_with_masked_nik(present):
    html = (_release(present, REGION_A) / "readiness.html").read_text()
    text = _squash(re.sub(r"<[^>]+>", " ", html))
    assert "Sanggahan melewati batas waktu (SLA 14 hari)" in html
    # 3 past the SLA of 7; 5 undecided (2 within the SLA); 2 decided
    assert "Melewati batas waktu 3 Belum diputuskan lebih dari 14 hari" in text
    assert "Belum diputuskan 5 Termasuk 2 yang masih dalam batas waktu" in text
    assert "yang tertua sudah 30 hari" in text
    names = reference.districts()
    kec1, kec2 = sorted({p[:8] for p, _ in reference.villages_by_regency()[REGION_A]})[:2]
    rows = re.findall(r"<tr><td>(.*?)</tr>", html[html.index('id="sanggahan"'):html.index('id="ground-check"')], re.S)
    by_kecamatan = {_squash(re.sub(r"<[^>]+>", " ", row)).strip() for row in rows}
    assert f"{names[kec1]} ({kec1}) 1 2 4 30" in by_kecamatan  # past SLA, undecided, all, oldest open
    assert f"{names[kec2]} ({kec2}) 1 2 2 16" in by_kecamatan
    assert any(row.startswith("tanpa kecamatan") and row.endswith("1 1 1 15") for row in by_kecamatan)
    # the oldest open ones, NIK masked; never a clear NIK anywhere in the page
    oldest = nik_for(REGION_A, 8)
    assert f"{oldest[:4]}********{oldest[-4:]}" in html and oldest not in html
    assert UNKNOWN_NIK not in html and not re.search(r"\d{16}", html)
    assert "<svg" in html[html.index('id="sanggahan"'):html.index('id="ground-check"')]


def test_report_shows_ground_checks_usulan_and_clerical_review(present):
    html = (_release(present, REGION_A) / "readiness.html").read_text()
    text = _squash(re.sub(r"<[^>]+>", " ", html))
    for result in ("LAYAK", "TIDAK LAYAK", "PINDAH", "MENINGGAL", "TIDAK DITEMUKAN"):
        assert re.search(rf"<td>{result}</td><td>[^<]+</td><td>1</td>", html), result
    assert "Ground check 5" in text and "Sudah diterapkan 2" in text
    assert "Oktober 2026 3 2" in text and "November 2026 2 0" in text  # by the period they apply from
    assert "baru, NIK cocok dengan Dukcapil: dapat diproses baru_cocok_dukcapil 1" in text
    assert "NIK tidak valid: perbaiki NIK lalu ajukan ulang nik_tidak_valid 2" in text
    assert "Semua usulan: 4" in text
    assert "Pasangan untuk diputuskan 4 Untuk 3 rekaman sumber" in text
    assert "belum tersedia" not in html
    for term in ("Sanggahan", "SLA (batas waktu 14 hari)", "Ground check", "Usulan", "Clerical review"):
        assert f"<dt>{term}" in html, term  # the glossary explains the new terms


def test_a_region_without_sanggahan_says_so(present):
    html = (_release(present, REGION_B) / "readiness.html").read_text()
    assert "Tidak ada sanggahan untuk daerah ini pada run ini." in html
    assert "belum tersedia" not in html


def test_sections_say_not_available_when_the_marts_are_missing(absent):
    release = _release(absent, REGION_A)
    html = (release / "readiness.html").read_text()
    assert html.count('data-available="false"') == 4
    for what in ("Data sanggahan", "Data ground check", "Data usulan", "Data pasangan clerical review"):
        assert f"{what} belum tersedia pada run ini." in html
    assert "Tidak ada sanggahan" not in html and "Melewati batas waktu" not in html  # no invented zero
    assert _pdf_text(release / "readiness.pdf").count("belum tersedia pada run ini") == 4
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["report_sections"] == {  # the readiness mart of this run has the completion columns
        **dict.fromkeys(("sanggahan", "ground_checks", "usulan", "clerical"), False), "ground_check_completion": True}
    assert "sanggahan_past_sla" not in manifest["readiness"]
    sheets = {s for book in release.glob("worklists/*.xlsx") for s in load_workbook(book).sheetnames}
    assert sheets and not sheets & {"clerical_review", "sanggahan_lewat_sla"}


def test_a_mart_lacking_a_column_is_not_available(tmp_path):
    path = tmp_path / "fct_sanggahan.parquet"
    frame = rich_marts()["fct_sanggahan"]
    con = duckdb.connect()
    frame.to_parquet(path, index=False)
    assert sections.sanggahan(con, path, REGION_A, {}, {})["past_sla"] == 3
    frame.drop(columns=["is_past_sla"]).to_parquet(path, index=False)
    assert sections.sanggahan(con, path, REGION_A, {}, {}) == {
        "available": False, "why": "missing columns is_past_sla"}
    path.write_bytes(b"not parquet")
    assert sections.sanggahan(con, path, REGION_A, {}, {})["available"] is False


# --- ground-check completion of flagged persons (fct_region_readiness) ----------------------------
COMPLETION_LINE = "Penyelesaian ground check atas data bertanda: 3 dari 8 orang bertanda sudah dikunjungi (37.5%)."
NOBODY_FLAGGED = "Tidak ada data bertanda: tidak ada orang bertanda yang perlu dikunjungi."
COMPLETION_UNAVAILABLE = "Data penyelesaian ground check atas data bertanda belum tersedia pada run ini."


def test_report_and_pdf_show_ground_check_completion_of_flagged_persons(present):
    release = _release(present, REGION_A)
    html = (release / "readiness.html").read_text()
    section = html[html.index('id="ground-check-completion"'):html.index('id="usulan"')]
    assert 'data-section="ground_check_completion"' in section and "data-available" not in section
    for text in (_html_text(release / "readiness.html"), _squash(_pdf_text(release / "readiness.pdf"))):
        assert COMPLETION_LINE in text
        assert "5 orang bertanda belum dikunjungi ground check." in text
        assert NOBODY_FLAGGED not in text and COMPLETION_UNAVAILABLE not in text
    assert "<dt>Data bertanda, penyelesaian ground check</dt>" in html  # the glossary explains it
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["report_sections"]["ground_check_completion"] is True
    assert manifest["readiness"]["ground_check_completion_rate"] == 0.375


def test_nobody_flagged_says_so_instead_of_a_zero(present):
    release = _release(present, REGION_B)  # persons_flagged 0, ground_check_completion_rate NULL
    html = (release / "readiness.html").read_text()
    section = _squash(re.sub(r"<[^>]+>", " ", html[html.index('id="ground-check-completion"'):html.index('id="usulan"')]))
    assert NOBODY_FLAGGED in section
    assert "dari 0 orang" not in section and "%" not in section
    pdf = _squash(_pdf_text(release / "readiness.pdf"))
    assert NOBODY_FLAGGED in pdf and "orang bertanda sudah dikunjungi" not in pdf and "dari 0 orang" not in pdf
    assert json.loads((release / "manifest.json").read_text())["report_sections"]["ground_check_completion"] is True


def test_completion_not_available_when_the_readiness_mart_lacks_its_columns(without_completion):
    release = _release(without_completion, REGION_A)
    html = (release / "readiness.html").read_text()
    assert html.count('data-available="false"') == 1  # only this section: the worklist marts are there
    assert 'data-section="ground_check_completion" data-available="false"' in html
    pdf = _squash(_pdf_text(release / "readiness.pdf"))
    for text in (_html_text(release / "readiness.html"), pdf):
        assert COMPLETION_UNAVAILABLE in text
        assert "orang bertanda sudah dikunjungi" not in text and NOBODY_FLAGGED not in text  # no invented number
    assert pdf.count("belum tersedia pada run ini") == 1
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["report_sections"] == {**dict.fromkeys(("sanggahan", "ground_checks", "usulan", "clerical"), True),
                                           "ground_check_completion": False}
    assert "persons_flagged" not in manifest["readiness"]


def test_completion_section_reads_the_readiness_mart(tmp_path):
    path = tmp_path / "fct_region_readiness.parquet"
    frame = rich_marts()["fct_region_readiness"]
    con = duckdb.connect()
    frame.to_parquet(path, index=False)
    assert sections.ground_check_completion(con, path, REGION_A) == {
        "available": True, "flagged": 8, "checked": 3, "rate": 0.375, "not_checked": 5}
    assert sections.ground_check_completion(con, path, REGION_B) == {
        "available": True, "flagged": 0, "checked": 0, "rate": None, "not_checked": None}
    assert sections.ground_check_completion(con, path, "99.99")["available"] is False  # no row: no number
    frame.drop(columns=["ground_check_completion_rate"]).to_parquet(path, index=False)
    assert sections.ground_check_completion(con, path, REGION_A) == {
        "available": False, "why": "missing columns ground_check_completion_rate"}


# --- the printable PDF ----------------------------------------------------------------------------
def test_pdf_is_in_the_manifest_with_its_hash_and_pages(present):
    release = _release(present, REGION_A)
    manifest = json.loads((release / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"] == "readiness.pdf")
    data = (release / "readiness.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and entry["size"] == len(data)
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["pages"] == len(PdfReader(release / "readiness.pdf").pages) >= 2 and entry["rows"] is None
    assert "pdf" in manifest["rows_counted_as"] and "header row excluded" in manifest["rows_counted_as"]["xlsx"]


def test_pdf_has_the_key_numbers_of_the_report_in_bahasa_indonesia(present):
    text = _squash(_pdf_text(_release(present, REGION_A) / "readiness.pdf"))
    # score and its components
    assert "Skor kesiapan: 82.0%" in text
    for label, value in (("NIK valid", "97.0%"), ("Cocok dengan Dukcapil", "95.0%"), ("Cakupan Regsosek", "90.0%"),
                         ("NIK ganda", "1.0%")):
        assert f"{label} {value}" in text, label
    # desil distribution: 40 persons, 4 in each desil
    for desil in range(1, 11):
        assert f" {desil} 4 10.0%" in text, desil
    # flags by type
    assert "Temuan per jenis (8)" in text and "dead_recipient penerima bansos yang sudah meninggal 1" in text
    # sanggahan past SLA, ground checks, usulan, clerical review
    assert "Sanggahan melewati batas waktu (SLA 14 hari)" in text
    assert "Melewati batas waktu 3 Belum diputuskan lebih dari 14 hari" in text
    assert "yang tertua sudah 30 hari" in text
    assert "Kemajuan ground check" in text and "Ground check 5" in text and "Sudah diterapkan 2" in text
    assert "MENINGGAL orang sudah meninggal: tidak lagi layak menerima program 1" in text
    assert "Semua usulan: 4" in text and "Pasangan untuk diputuskan 4" in text
    assert "Istilah" in text and "SLA (batas waktu 14 hari)" in text


def test_pdf_never_shows_a_clear_nik(present):
    text = _pdf_text(_release(present, REGION_A) / "readiness.pdf")
    assert not re.search(r"\d{16}", text.replace(" ", ""))
    flagged, oldest = nik_for(REGION_A, 1), nik_for(REGION_A, 8)  # a dead recipient; the oldest sanggahan
    for nik in (flagged, oldest):
        assert f"{nik[:4]}********{nik[-4:]}" in text


def test_pdf_survives_text_outside_its_font(tmp_path):
    from terpadu.publish.pdf import render_pdf

    region = reference.regencies()[REGION_A]
    report = {"region": region, "run_id": R1, "generated_at": "2026-10-01", "code_version": "x", "persons_total": 1,
              "readiness": {}, "outlook": {"target": 0.9, "deadline": date(2026, 10, 1), "status": "not_enough"},
              "trend_window": 6, "trend_chart": "", "outlook_text": "skor ≥ target → selesai ✓", "trend": [],
              "gate": {"warnings": []}, "desil_chart": "", "desil": [], "flags_total": 0, "flags_by_type": [],
              "flag_chart": "", "flag_labels": {}, "kecamatan": [], "examples": [],
              "sanggahan": {"available": False}, "ground_checks": {"available": False},
              "usulan": {"available": False}, "clerical": {"available": False},
              "ground_check_completion": {"available": False}, "unavailable": sections.UNAVAILABLE, "glossary": [("Nama 名前", "NIK 3510010101900001")]}
    assert render_pdf(report, tmp_path / "r.pdf") >= 1
    text = _pdf_text(tmp_path / "r.pdf")
    assert "skor >= target -> selesai v" in text and "Nama ??" in text
    assert "3510********0001" in text and "3510010101900001" not in text


# --- the worklists --------------------------------------------------------------------------------
def _sheet_rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_worklists_have_sanggahan_past_sla_with_what_to_do(present):
    folder = _release(present, REGION_A) / "worklists"
    found = {}
    for path in folder.glob("*.xlsx"):
        book = load_workbook(path)
        if "sanggahan_lewat_sla" in book.sheetnames:
            found[path.stem] = _sheet_rows(book["sanggahan_lewat_sla"])
    ids = {stem: [row["sanggahan_id"].value for row in rows] for stem, rows in found.items()}
    kec1, kec2 = sorted({p[:8] for p, _ in reference.villages_by_regency()[REGION_A]})[:2]
    assert ids == {kec1: ["SGH-A-30"], kec2: ["SGH-A-16"], "tanpa_kecamatan": ["SGH-A-NONE"]}  # past SLA only
    for rows in found.values():
        for row in rows:
            nik = row["NIK tersanggah"]
            assert isinstance(nik.value, str) and len(nik.value) == 16 and nik.number_format == "@"
            assert "batas 14 hari terlewati" in row["masalah"].value
            assert "DITERIMA atau DITOLAK" in row["tindakan"].value
            assert row["hasil_verifikasi (DITERIMA / DITOLAK)"].value is None  # for the operator
    assert found[kec1][0]["NIK tersanggah"].value == nik_for(REGION_A, 8)  # full NIK: the region's own file
    assert found["tanpa_kecamatan"][0]["NIK tersanggah"].value == UNKNOWN_NIK
    assert found["tanpa_kecamatan"][0]["tindakan"].value.startswith("NIK tersanggah tidak cocok")


def test_sanggahan_with_a_nik_excel_damaged_says_which_nik_it_matched(tmp_path, monkeypatch):
    """A sanggahan whose workbook NIK Excel turned into 8.17101E+15 but whose name fits one person
    (fct_sanggahan.nik_match_method excel_sci_name): the sheet names the NIK it was matched to and asks
    for the NIK to be retyped as text."""
    frames = rich_marts()
    sanggahan = frames["fct_sanggahan"]
    sanggahan["nik_match_method"], sanggahan["matched_nik"] = "exact", sanggahan["nik"]
    damaged = sanggahan.sanggahan_id == "SGH-A-30"
    true_nik = sanggahan.loc[damaged, "nik"].iloc[0]
    sanggahan.loc[damaged, ["nik", "nik_match_method"]] = [f"{true_nik[0]}.{true_nik[1:6]}E+15", "excel_sci_name"]
    settings = make_settings(tmp_path, monkeypatch)
    assert _publish(settings, frames, regions=(REGION_A,))[REGION_A]["status"] == "published"
    rows = {}
    for path in (_release(settings, REGION_A) / "worklists").glob("*.xlsx"):
        book = load_workbook(path)
        if "sanggahan_lewat_sla" in book.sheetnames:
            rows |= {row["sanggahan_id"].value: row for row in _sheet_rows(book["sanggahan_lewat_sla"])}
    repaired, exact = rows["SGH-A-30"], rows["SGH-A-16"]
    assert repaired["NIK tersanggah"].value == f"{true_nik[0]}.{true_nik[1:6]}E+15"  # as the region typed it
    assert "rusak oleh Excel" in repaired["masalah"].value and true_nik in repaired["masalah"].value
    assert repaired["tindakan"].value.startswith(f"Tulis ulang NIK tersanggah sebagai teks ({true_nik}")
    assert "Excel" not in exact["masalah"].value and exact["tindakan"].value.startswith("Verifikasi segera")


def test_worklists_have_clerical_review_pairs_to_decide(present):
    folder = _release(present, REGION_A) / "worklists"
    pairs = []
    for path in sorted(folder.glob("*.xlsx")):
        book = load_workbook(path)
        if "clerical_review" in book.sheetnames:
            pairs += _sheet_rows(book["clerical_review"])
    assert sorted(row["review_id"].value for row in pairs) == sorted(
        [f"CR-{REGION_A}-0", f"CR-{REGION_A}-1", "CR-A-7-0", "CR-A-7-1"])
    seven = [row for row in pairs if row["id rekaman"].value == "dtks-77"]
    assert [row["peluang sama orang"].value for row in seven] == [0.81, 0.64]  # best candidate first
    for row in seven:
        for column in ("NIK rekaman", "NIK kandidat (Dukcapil)"):
            assert isinstance(row[column].value, str) and row[column].number_format == "@"
        assert row["masalah"].value.startswith("mungkin orang yang sama") and row["tindakan"].value
    assert seven[0]["NIK rekaman"].value == nik_for(REGION_A, 7)
    assert seven[1]["NIK kandidat (Dukcapil)"].value == nik_for(REGION_A, 6)

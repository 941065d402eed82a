"""The printable readiness report (readiness.pdf): the same numbers as readiness.html, from the same
report data, laid out for A4 paper.

Made with fpdf2 (pure Python; no system library, no browser). The charts are the HTML report's own
inline SVG, drawn as vectors. Text uses the PDF core font Helvetica in the Windows-1252 encoding,
which covers Bahasa Indonesia; a character outside it is replaced (≥ → >=, others → ?) rather than
failing a release.

Privacy (UU PDP): every string drawn passes through `_ReportPDF.normalize_text`, which masks any
16-digit run (mask_niks_in), the same last line of defence as the HTML; NIK columns are masked
explicitly with mask_nik before that.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

from terpadu.publish.forecast import format_date
from terpadu.publish.release import fmt_num, fmt_pct, mask_nik, mask_niks_in

_REPLACEMENTS = {"≥": ">=", "≤": "<=", "→": "->", "←": "<-", "✓": "v", "\u00a0": " ", "\u2009": " "}
_MM_PER_SVG_UNIT = 0.27  # 12-unit chart text prints at about 9 pt; a 400-unit bar chart is 108 mm wide
_SVG_TITLE = re.compile(r"<title>.*?</title>", re.S)
_MUTED, _TEXT, _RED, _GREEN, _AMBER = (102, 102, 119), (29, 36, 48), (198, 40, 40), (46, 125, 50), (170, 120, 0)
_STATUS_COLOUR = {"reached": _GREEN, "on_track": _GREEN, "late": _RED, "no_progress": _RED}


def _printable(text: str) -> str:
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _latin1(text: str) -> str:
    """fpdf2 draws SVG text with the core font's Latin-1 widths (not through normalize_text)."""
    for char, replacement in {**_REPLACEMENTS, "…": "...", "–": "-", "—": "-", "’": "'", "“": '"', "”": '"'}.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _date(value: Any) -> str:
    return format_date(value) if value else "–"


def _report_pdf_class():
    from fpdf import FPDF

    class _ReportPDF(FPDF):
        def __init__(self, footer_text: str):
            super().__init__(format="A4", unit="mm")
            self.footer_text = footer_text
            self.core_fonts_encoding = "cp1252"
            self.set_margins(15, 15, 15)
            self.set_auto_page_break(True, margin=16)

        def normalize_text(self, text: str) -> str:
            return super().normalize_text(_printable(mask_niks_in(text)))

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("helvetica", size=7.5)
            self.set_text_color(*_MUTED)
            self.cell(0, 5, f"{self.footer_text} · halaman {self.page_no()} dari {{nb}}", align="C")

    return _ReportPDF


class _Writer:
    """Small layout vocabulary over fpdf2: headings, paragraphs, boxes, tables, charts."""

    def __init__(self, pdf):
        self.pdf = pdf

    @property
    def width(self) -> float:
        return self.pdf.epw

    def h1(self, text: str) -> None:
        self.pdf.set_font("helvetica", "B", 16)
        self.pdf.set_text_color(*_TEXT)
        self.pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    def h2(self, text: str, keep: float = 0) -> None:
        """`keep`: height (mm) of what must follow on the same page (a chart), besides a few lines."""
        pdf = self.pdf
        if pdf.will_page_break(40 + keep):  # a heading never sits alone at the foot of a page
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font("helvetica", "B", 12.5)
        pdf.set_text_color(*_TEXT)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(221, 221, 238)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + self.width, pdf.get_y())
        pdf.ln(1.5)

    def h3(self, text: str) -> None:
        if self.pdf.will_page_break(20):
            self.pdf.add_page()
        self.pdf.ln(1.5)
        self.pdf.set_font("helvetica", "B", 10.5)
        self.pdf.set_text_color(*_TEXT)
        self.pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def text(self, text: str, muted: bool = False, size: float = 9.5, bold: bool = False,
             colour: tuple[int, int, int] | None = None) -> None:
        self.pdf.set_font("helvetica", "B" if bold else "", size)
        self.pdf.set_text_color(*(colour or (_MUTED if muted else _TEXT)))
        self.pdf.multi_cell(0, size * 0.48, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def box(self, text: str, kind: str) -> None:
        """A coloured note: kind ok | warn | err (the HTML's .ok/.warn/.err)."""
        fill, edge = {"ok": ((231, 245, 234), _GREEN), "warn": ((255, 246, 218), _AMBER),
                      "err": ((253, 232, 232), _RED)}[kind]
        pdf = self.pdf
        pdf.set_font("helvetica", "", 9.5)
        pdf.set_text_color(*_TEXT)
        pdf.set_fill_color(*fill)
        pdf.set_draw_color(*edge)
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin + 1.5)
        pdf.multi_cell(self.width - 1.5, 5, text, fill=True, padding=(1.5, 2), new_x="LMARGIN", new_y="NEXT")
        if pdf.get_y() > y:  # the bar is drawn only when the note stayed on one page
            pdf.set_line_width(1.2)
            pdf.line(pdf.l_margin + 0.6, y, pdf.l_margin + 0.6, pdf.get_y())
            pdf.set_line_width(0.2)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(221, 221, 238)
        pdf.ln(1.5)

    def table(self, headings: list[str], rows: list[list[Any]], widths: tuple[float, ...] | None = None,
              size: float = 8.5) -> None:
        if not rows:
            return
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font("helvetica", "", size)
        pdf.set_text_color(*_TEXT)
        pdf.set_draw_color(221, 221, 238)
        pdf.set_fill_color(255, 255, 255)
        with pdf.table(col_widths=widths, width=self.width, text_align="LEFT", line_height=size * 0.48,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 247)),
                       borders_layout="HORIZONTAL_LINES", padding=1) as table:
            table.row([str(h) for h in headings])
            for row in rows:
                table.row(["" if v is None else str(v) for v in row])
        pdf.ln(2)

    def cards(self, items: list[tuple[str, str, str]]) -> None:
        """Key numbers: (label, value, explanation) as a table with the value large enough to find."""
        self.table(["", "Nilai", "Arti"], [[label, value, note] for label, value, note in items], widths=(45, 22, 113),
                   size=9)

    def _chart_size(self, markup: str) -> tuple[float, float]:
        match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', markup)
        view_w, view_h = (float(match.group(1)), float(match.group(2))) if match else (550.0, 200.0)
        width = min(self.width, view_w * _MM_PER_SVG_UNIT)
        return width, width * view_h / view_w

    def chart_height(self, svg: Any) -> float:
        return self._chart_size(str(svg))[1] if svg else 0

    def chart(self, svg: Any) -> None:
        markup = _latin1(mask_niks_in(_SVG_TITLE.sub("", str(svg or ""))))
        if not markup:
            return
        width, height = self._chart_size(markup)
        if self.pdf.will_page_break(height + 2):
            self.pdf.add_page()
        self.pdf.image(BytesIO(markup.encode("utf-8")), x=self.pdf.l_margin, w=width, h=height)
        self.pdf.ln(2)


def _score(w: _Writer, r: dict) -> None:
    readiness = r["readiness"]
    w.h2("Skor kesiapan")
    if not readiness:
        w.box("Belum ada baris kesiapan untuk daerah ini.", "warn")
        return
    w.text(f"Skor kesiapan: {fmt_pct(readiness.get('readiness_score'))}", size=18, bold=True)
    w.text("Skor kesiapan (0-100%) merangkum komponen di bawah ini: makin tinggi, makin siap data daerah ini "
           "dipakai untuk penyaluran bansos.", muted=True)
    w.cards([
        ("NIK valid", fmt_pct(readiness.get("nik_valid_rate")),
         "Bagian penduduk yang NIK-nya 16 digit dan sesuai aturan (kode wilayah, tanggal lahir, jenis kelamin)."),
        ("Cocok dengan Dukcapil", fmt_pct(readiness.get("dukcapil_match_rate")),
         "Bagian penduduk yang NIK-nya ditemukan di data kependudukan Dukcapil."),
        ("Cakupan Regsosek", fmt_pct(readiness.get("coverage_rate")),
         "Bagian penduduk Dukcapil yang sudah terdata di Regsosek. Penduduk resmi kabupaten/kota: "
         f"{fmt_num(readiness.get('population_reference'))} jiwa."),
        ("NIK ganda", fmt_pct(readiness.get("duplicate_nik_rate")),
         "Bagian penduduk yang NIK-nya dipakai lebih dari satu orang (makin kecil makin baik)."),
    ])
    w.table(["Penduduk menurut sumber", "Jumlah"], [
        ["Dukcapil (data kependudukan)", fmt_num(readiness.get("persons_dukcapil"))],
        ["DTKS (Kemensos)", fmt_num(readiness.get("persons_dtks"))],
        ["Regsosek (BPS)", fmt_num(readiness.get("persons_regsosek"))],
        ["Terpadu (setelah pencocokan)", fmt_num(readiness.get("persons_integrated"))],
        ["Keluarga terpadu", fmt_num(readiness.get("families_integrated"))],
        ["Penerima bansos yang sudah meninggal", fmt_num(readiness.get("dead_recipients"))],
    ], widths=(130, 50))


def _trend(w: _Writer, r: dict) -> None:
    outlook = r["outlook"]
    w.h2("Perkembangan dan perkiraan", keep=w.chart_height(r["trend_chart"]))
    w.text(f"Skor kesiapan dari setiap rilis daerah ini. Garis hijau adalah target ({fmt_pct(outlook['target'])}), "
           f"garis merah tenggat nasional (data siap paling lambat {format_date(outlook['deadline'])}). Perkiraan "
           f"menarik garis lurus melalui {r['trend_window']} rilis terakhir.", muted=True)
    w.chart(r["trend_chart"])
    kind = {"reached": "ok", "on_track": "ok", "late": "err", "no_progress": "err"}.get(outlook["status"], "warn")
    w.box(r["outlook_text"], kind)
    if len(r["trend"]) > 1:
        w.table(["Rilis (run)", "Tanggal", "Skor kesiapan"],
                [[p["run_id"], format_date(p["at"].date()), fmt_pct(p["score"])] for p in reversed(r["trend"])],
                widths=(70, 60, 50))


def _gate(w: _Writer, r: dict) -> None:
    w.h2("Peringatan pemeriksaan mutu")
    if not r["gate"]["warnings"]:
        w.box("Semua pemeriksaan mutu lolos tanpa peringatan.", "ok")
    for warning in r["gate"]["warnings"]:
        w.box(f"{warning['id']}\n{warning['en']}", "warn")


def _desil(w: _Writer, r: dict) -> None:
    w.h2("Sebaran desil", keep=w.chart_height(r["desil_chart"]))
    w.text("Desil adalah peringkat kesejahteraan dari BPS: seluruh penduduk dibagi sepuluh kelompok sama besar, "
           "desil 1 = 10% termiskin. Bansos umumnya menyasar desil 1-4 (PKH) atau 1-5 (Sembako/BPNT, PBI-JK).",
           muted=True)
    w.chart(r["desil_chart"])
    w.table(["Desil", "Penduduk", "Bagian"],
            [[d["desil"] if d["desil"] is not None else "belum ada", fmt_num(d["persons"]), fmt_pct(d["share"])]
             for d in r["desil"]], widths=(60, 60, 60))


def _flags(w: _Writer, r: dict) -> None:
    w.h2(f"Temuan per jenis ({fmt_num(r['flags_total'])})", keep=w.chart_height(r["flag_chart"]))
    if not r["flags_by_type"]:
        w.box("Tidak ada temuan: tidak ada orang yang perlu diperiksa ulang.", "ok")
        return
    w.chart(r["flag_chart"])
    labels = r["flag_labels"]
    w.table(["Jenis temuan", "Arti", "Jumlah"],
            [[f["flag_type"], labels.get(f["flag_type"], ("", ""))[0], fmt_num(f["flags"])]
             for f in r["flags_by_type"]],
            widths=(50, 100, 30))
    if r["kecamatan"]:
        w.h3("Temuan per kecamatan")
        w.table(["Kecamatan", "Total", "Rincian"],
                [[f"{k['name']} ({k['code']})", fmt_num(k["total"]),
                  ", ".join(f"{t}: {fmt_num(n)}" for t, n in k["by_type"].items())] for k in r["kecamatan"]],
                widths=(55, 20, 105))
        w.h3("Contoh temuan")
        w.text("NIK disamarkan (mis. 8171********0001) sesuai UU PDP; data lengkap hanya di ekstrak dan daftar kerja "
               "untuk petugas daerah.", muted=True)
        w.table(["Jenis", "NIK", "Nama", "Desa/Kel.", "Alasan", "Tindakan"],
                [[e["flag_type"], mask_nik(e["nik"]), e["full_name"], e["desa_code"], e["reason"], e["action"]]
                 for e in r["examples"]], widths=(27, 27, 24, 25, 40, 37), size=7.5)


def _section_has_rows(w: _Writer, r: dict, section: dict, title: str, intro: str, what: str,
                      count: Any, empty: str) -> bool:
    """Heading and intro of a worklist-mart section; False (after saying why) when the run lacks the mart
    or the region has no rows, so the caller draws nothing more."""
    w.h2(title)
    w.text(intro, muted=True)
    if not section["available"]:
        w.box(f"Data {what} {r['unavailable']}.", "warn")
        return False
    if not count:
        w.box(empty, "ok")
        return False
    return True


def _sanggahan(w: _Writer, r: dict) -> None:
    s = r["sanggahan"]
    sla = s["sla_days"] if s["available"] else 14
    if not _section_has_rows(
            w, r, s, f"Sanggahan melewati batas waktu (SLA {sla} hari)",
            f"Sanggahan adalah keberatan warga terhadap seorang penerima bansos. Daerah wajib memverifikasinya "
            f"dalam {sla} hari (SLA); sanggahan yang belum diputuskan setelah batas itu dianggap tidak diterima.",
            "sanggahan", s.get("total"), "Tidak ada sanggahan untuk daerah ini pada run ini."):
        return
    w.cards([
        ("Melewati batas waktu", fmt_num(s["past_sla"]), f"Belum diputuskan lebih dari {sla} hari."),
        ("Belum diputuskan", fmt_num(s["open"]), f"Termasuk {fmt_num(s['open_in_time'])} yang masih dalam batas."),
        ("Sudah diputuskan", fmt_num(s["accepted"] + s["rejected"]),
         f"Diterima {fmt_num(s['accepted'])}, ditolak {fmt_num(s['rejected'])}."),
        ("Semua sanggahan", fmt_num(s["total"]), ""),
    ])
    w.chart(s["status_chart"])
    if s["past_sla"]:
        oldest = f"; yang tertua sudah {fmt_num(s['oldest_days'])} hari" if s["oldest_days"] is not None else ""
        w.box(f"{fmt_num(s['past_sla'])} sanggahan melewati batas {sla} hari{oldest}. Daftarnya ada di lembar "
              "sanggahan_lewat_sla daftar kerja kecamatan.", "err")
    else:
        w.box("Tidak ada sanggahan yang melewati batas waktu.", "ok")
    w.chart(s["kecamatan_chart"])
    w.table(["Kecamatan", "Melewati batas", "Belum diputuskan", "Semua", "Terlama terbuka (hari)"],
            [[k["name"] + (f" ({k['kecamatan_code']})" if k["kecamatan_code"] else ""), fmt_num(k["past_sla"]),
              fmt_num(k["open"]), fmt_num(k["total"]), fmt_num(k["oldest_days"])] for k in s["by_kecamatan"]],
            widths=(64, 26, 30, 22, 38))
    if s["oldest"]:
        w.h3("Sanggahan terbuka yang paling lama")
        w.table(["No. sanggahan", "NIK tersanggah", "Desa/Kel.", "Diajukan", "Hari terbuka", "Alasan"],
                [[o["sanggahan_id"], mask_nik(o["nik"]), o["desa_name"] or o["desa_code"] or "–",
                  _date(o["objection_date"]), fmt_num(o["days_open"]) + (" (lewat batas)" if o["is_past_sla"] else ""),
                  o["reason"] or ""] for o in s["oldest"]],
                widths=(30, 28, 28, 26, 24, 44), size=7.5)


def _ground_checks(w: _Writer, r: dict) -> None:
    g = r["ground_checks"]
    if not _section_has_rows(
            w, r, g, "Kemajuan ground check",
            "Ground check adalah kunjungan lapangan oleh pendamping sosial. Hasilnya berlaku mulai periode "
            "berikutnya setelah dilaporkan, lalu menggantikan data sumber.",
            "ground check", g.get("total"), "Belum ada ground check untuk daerah ini."):
        return
    w.cards([
        ("Ground check", fmt_num(g["total"]),
         f"Kunjungan terakhir {_date(g['last_checked'])}." if g["last_checked"] else ""),
        ("Sudah diterapkan", fmt_num(g["applied"]), "Hasilnya sudah mengubah data pada run ini."),
        ("Menunggu / tidak diterapkan", fmt_num(g["pending"]),
         "Berlaku pada periode berikutnya, digantikan ground check yang lebih baru, atau tanpa efek."),
    ])
    w.chart(g["chart"])
    w.table(["Hasil", "Arti", "Jumlah"], [[x["result"], x["meaning"], fmt_num(x["checks"])] for x in g["results"]],
            widths=(38, 117, 25))
    w.table(["Berlaku mulai periode", "Ground check", "Sudah diterapkan"],
            [[p["label"], fmt_num(p["checks"]), fmt_num(p["applied"])] for p in g["by_period"]], widths=(80, 50, 50))
    names = g["result_names"]
    result_w = 130 / (len(names) + 2)
    w.table(["Kecamatan", "Semua", *names, "Diterapkan"],
            [[k["name"] + (f" ({k['kecamatan_code']})" if k["kecamatan_code"] else ""), fmt_num(k["total"]),
              *(fmt_num(k["by_result"].get(name, 0)) for name in names), fmt_num(k["applied"])]
             for k in g["by_kecamatan"]],
            widths=(50, *([result_w] * (len(names) + 2))), size=7.5)


def _ground_check_completion(w: _Writer, r: dict) -> None:
    """Part of the ground-check section, drawn whether or not the run has fct_ground_checks: its numbers
    come from the readiness mart."""
    c = r["ground_check_completion"]
    w.h3("Penyelesaian ground check atas data bertanda")
    w.text("Dari orang yang punya sedikitnya satu temuan (data bertanda), berapa yang sudah dikunjungi ground "
           "check (hasil apa pun, sampai periode run ini).", muted=True)
    if not c["available"]:
        w.box(f"Data penyelesaian ground check atas data bertanda {r['unavailable']}.", "warn")
        return
    if c["rate"] is None:
        w.box("Tidak ada data bertanda: tidak ada orang bertanda yang perlu dikunjungi.", "ok")
        return
    w.text(f"Penyelesaian ground check atas data bertanda: {fmt_num(c['checked'])} dari {fmt_num(c['flagged'])} "
           f"orang bertanda sudah dikunjungi ({fmt_pct(c['rate'])}).", bold=True)
    if c["not_checked"]:
        w.box(f"{fmt_num(c['not_checked'])} orang bertanda belum dikunjungi ground check.", "warn")
    else:
        w.box("Semua orang bertanda sudah dikunjungi ground check.", "ok")


def _usulan(w: _Writer, r: dict) -> None:
    u = r["usulan"]
    if not _section_has_rows(
            w, r, u, "Usulan",
            "Usulan adalah permintaan agar seseorang dimasukkan ke daftar. Terpadu memeriksa NIK setiap usulan "
            "terhadap Dukcapil dan DTKS.",
            "usulan", u.get("total"), "Tidak ada usulan untuk daerah ini pada run ini."):
        return
    w.text(f"Semua usulan: {fmt_num(u['total'])}", bold=True)
    w.chart(u["chart"])
    w.table(["Hasil pemeriksaan", "Kode", "Jumlah"],
            [[o["label"], o["outcome"], fmt_num(o["usulan"])] for o in u["by_outcome"]], widths=(100, 50, 30))


def _clerical(w: _Writer, r: dict) -> None:
    c = r["clerical"]
    if not _section_has_rows(
            w, r, c, "Pasangan untuk diputuskan (clerical review)",
            "Rekaman DTKS atau Regsosek yang mungkin orang yang sama dengan seorang penduduk Dukcapil, tetapi "
            "kecocokannya tidak cukup pasti untuk diputuskan mesin.",
            "pasangan clerical review", c.get("pairs"), "Tidak ada pasangan yang perlu diputuskan."):
        return
    w.cards([("Pasangan untuk diputuskan", fmt_num(c["pairs"]), f"Untuk {fmt_num(c['records'])} rekaman sumber."),
             *((src["label"], fmt_num(src["pairs"]), f"{fmt_num(src['records'])} rekaman") for src in c["by_source"])])
    w.text("Putuskan di lembar clerical_review daftar kerja kecamatan: cocokkan dengan KTP/KK, lalu isi SAMA atau "
           "BUKAN.", muted=True)
    w.table(["Kecamatan", "Pasangan", "Rekaman"],
            [[k["name"] + (f" ({k['kecamatan_code']})" if k["kecamatan_code"] else ""), fmt_num(k["pairs"]),
              fmt_num(k["records"])] for k in c["by_kecamatan"]], widths=(110, 35, 35))


def _glossary(w: _Writer, r: dict) -> None:
    w.h2("Istilah")
    for term, meaning in r["glossary"]:
        w.text(term, bold=True, size=9.5)
        w.text(meaning, size=9)


def render_pdf(report: dict, path: Path) -> int:
    """Write the readiness report of `report` (release._report_data) as a PDF; returns its page count."""
    region, run_id = report["region"], report["run_id"]
    pdf = _report_pdf_class()(f"Kesiapan data DTSEN - {region.name} - run {run_id}")
    pdf.set_title(f"Kesiapan data DTSEN - {region.name}")
    pdf.set_author("Terpadu")
    pdf.set_lang("id")
    pdf.add_page()
    w = _Writer(pdf)
    w.h1(f"Kesiapan data DTSEN — {region.name}")
    w.text(f"{region.province_name} · kode wilayah {region.code} · run {run_id} · dibuat {report['generated_at']} · "
           f"versi kode {report['code_version']}", muted=True, size=8.5)
    for section in (_score, _trend, _gate, _desil, _flags, _sanggahan, _ground_checks, _ground_check_completion,
                    _usulan, _clerical, _glossary):
        section(w, report)
    w.text("Dokumen ini dibuat otomatis oleh Terpadu. Jumlah penduduk dalam rilis: "
           f"{fmt_num(report['persons_total'])}.", muted=True, size=8.5)
    pdf.output(str(path))
    return pdf.pages_count

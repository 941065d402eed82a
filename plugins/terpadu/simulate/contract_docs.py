"""Fill the generated blocks of docs/contracts/*.md from contracts.py, checks.py and real simulator output.

    .venv/bin/python -m terpadu.simulate.contract_docs          # rewrite the blocks in place
    .venv/bin/python -m terpadu.simulate.contract_docs --check  # exit 1 if a column table is stale

The prose of each page is written by hand; only text between `<!-- generated:NAME -->` and
`<!-- /generated -->` is replaced. Column tables come from the contract (so they cannot drift from
it; tests/unit/test_simulate_contract_docs.py fails when they do) and name the ingest rules of
`terpadu.sources.checks` that quarantine a value; example rows come from a small simulation with a
fixed seed (Kota Ambon, 81.71), so they are what the simulator really writes.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from terpadu.sources import checks
from terpadu.sources import contracts as c

DOCS = Path(__file__).resolve().parents[3] / "docs" / "contracts"
EXAMPLE = {"regions": ["81.71", "35.10"], "persons": 3000, "seed": 20261, "period": "202610"}
REGION = "8171"
_BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.S)


def _parquet_type(column: c.Column) -> str:
    return {c.Kind.ENUM: "string", c.Kind.FLAG: "int8", c.Kind.INT: "int32", c.Kind.DATE: "date"}.get(
        column.kind, "string")


def _format(column: c.Column, source: c.Source) -> str:
    k = column.kind
    text = source.file_format != "parquet"
    if k == c.Kind.NIK:
        out = "16 digits as text: PP KK CC DDMMYY SSSS (day + 40 for women)"
    elif k == c.Kind.KK:
        out = "16 digits as text"
    elif k == c.Kind.DIGITS:
        out = f"exactly {column.width} digits (keep leading zeros)"
    elif k == c.Kind.DATE:
        out = (checks._human_format(column.date_format) if column.date_format else "Parquet DATE")
    elif k == c.Kind.TIMESTAMP:
        out = "ISO 8601 date-time, e.g. 2026-10-01T00:00:00"
    elif k == c.Kind.PERIOD:
        out = "yyyymm, equal to the period in the file name"
    elif k in (c.Kind.ENUM, c.Kind.FLAG):
        allowed = column.allowed or (("Y", "N") if text else ("0", "1"))
        out = "one of " + ", ".join(f"`{a}`" for a in allowed)
    elif k == c.Kind.INT:
        out = "whole number ≥ 0"
    elif k == c.Kind.FLOAT:
        out = "decimal number with a dot"
    else:
        out = f"free text, ≤ {checks.MAX_TEXT} characters"
    if source.file_format == "parquet":
        out += f" (Parquet {_parquet_type(column)})"
    return out


def _rules(column: c.Column, source: c.Source) -> str:
    rules = [rule for _, rule, _ in checks.column_checks(column, source.file_format != "parquet", REGION, "202610")]
    if column.name in ("NO_PROP", "NO_KAB"):
        rules.append("region_mismatch")
    return ", ".join(f"`{r}`" for r in dict.fromkeys(rules) if r != "too_long") or "—"


def columns_table(source: c.Source, entity: c.Entity) -> str:
    lines = ["| # | Column | Kind | Required | Values / format | Meaning | Quarantined by |",
             "|---|---|---|---|---|---|---|"]
    for i, col in enumerate(entity.columns, start=1):
        meaning = (col.description or "").replace("|", "\\|")
        lines.append(f"| {i} | `{col.name}` | {col.kind.value} | {'yes' if col.required else 'no'} | "
                     f"{_format(col, source)} | {meaning} | {_rules(col, source)} |")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if value is None:
        return "*(null)*"
    text = str(value)
    return f"`{text}`" if text != "" else "*(empty)*"


def _vertical(columns: list[str], values: list) -> str:
    lines = ["| Column | Example |", "|---|---|"]
    lines += [f"| `{n}` | {_cell(v)} |" for n, v in zip(columns, values, strict=True)]
    return "\n".join(lines) + "\n"


def examples(state_dir: Path) -> dict[str, str]:
    """Generated example blocks from a small simulation written to `state_dir`."""
    import openpyxl
    import pandas as pd

    from terpadu.settings import Settings
    from terpadu.simulate import simulate

    settings = replace(Settings.from_env(), state_dir=state_dir)
    simulate(settings, progress=lambda *_: None, **EXAMPLE)
    inbox, period = settings.inbox_dir, EXAMPLE["period"]
    truth = pd.read_parquet(settings.ground_truth_dir / "defects.parquet")
    out = {}
    for source in (c.DTKS, c.DUKCAPIL):
        ent = source.entities[0]
        path = inbox / source.name / ent.file_pattern.format(region=REGION, period=period)
        lines = path.read_bytes().decode("utf-8").split("\r\n")
        df = pd.read_csv(path, sep=source.delimiter, dtype=str, keep_default_na=False)
        out[f"{source.name}.example"] = (f"First data row of `{path.name}` (seed {EXAMPLE['seed']}), as bytes on "
                                         f"disk (CRLF line ends):\n\n```text\n{lines[0]}\n{lines[1]}\n```\n\n"
                                         + _vertical(ent.column_names, list(df.iloc[0])))
        if source is c.DTKS:  # one row per planted NIK defect, straight from the file
            picks = []
            for kind in ("nik_missing", "nik_excel_sci", "nik_excel_15", "nik_excel_float", "nik_invalid_region",
                         "nik_invalid_date", "kk_invalid", "name_variant", "dob_swapped"):
                hit = truth[(truth.file == path.name) & (truth.defect == kind)].row_number
                if len(hit):
                    picks.append(f"{kind:<19} row {int(hit.iloc[0]):>4}: {lines[int(hit.iloc[0])]}")
            out["dtks.defects"] = "```text\n" + "\n".join(picks) + "\n```\n"
    # the NIK-matching answer: its first PADAN and first TIDAK PADAN row
    ent = c.DUKCAPIL.entity("nik_verifications")
    path = inbox / "dukcapil" / ent.file_pattern.format(region=REGION, period=period)
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    df = pd.read_csv(path, sep=c.DUKCAPIL.delimiter, dtype=str, keep_default_na=False)
    padan, tidak = (int(df.index[df.STATUS_PADAN == s][0]) for s in c.PADAN_STATUS)
    out["dukcapil.nik_verifications.example"] = (
        f"Rows of `{path.name}` (seed {EXAMPLE['seed']}), as bytes on disk (CRLF line ends): the header, the "
        f"first PADAN and the first TIDAK PADAN answer:\n\n```text\n{lines[0]}\n{lines[padan + 1]}\n"
        f"{lines[tidak + 1]}\n```\n\n" + _vertical(ent.column_names, list(df.iloc[padan])))
    parts = []
    for ent in c.REGSOSEK.entities:
        path = inbox / "regsosek" / ent.file_pattern.format(region=REGION, period=period)
        row = pd.read_parquet(path).iloc[0]
        parts.append(f"First row of `{path.name}`:\n\n" + _vertical(ent.column_names, list(row)))
    out["regsosek.example"] = "\n".join(parts)
    path = inbox / "kabkota" / c.KABKOTA.entities[0].file_pattern.format(region=REGION, period=period)
    wb = openpyxl.load_workbook(path, read_only=True)
    parts = []
    for ent in c.KABKOTA.entities:
        rows = list(wb[ent.sheet].iter_rows(values_only=True))
        if len(rows) > 1:
            parts.append(f"Sheet `{ent.sheet}` of `{path.name}`, first data row:\n\n" + _vertical(ent.column_names,
                                                                                              list(rows[1])))
    out["kabkota.example"] = "\n".join(parts)
    return out


def blocks(with_examples: bool) -> dict[str, str]:
    out = {f"{s.name}.{e.name}.columns": columns_table(s, e) for s in c.SOURCES.values() for e in s.entities}
    if with_examples:
        with tempfile.TemporaryDirectory() as tmp:
            out.update(examples(Path(tmp)))
    return out


def render(text: str, generated: dict[str, str]) -> str:
    def sub(m):
        body = generated.get(m["name"])
        return m.group(0) if body is None else m.group(1) + body + m.group(4)

    return _BLOCK.sub(sub, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only compare the column tables; exit 1 when stale")
    args = ap.parse_args(argv)
    generated = blocks(with_examples=not args.check)
    stale = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        new = render(text, generated)
        if new != text:
            stale.append(page.name)
            if not args.check:
                page.write_text(new, encoding="utf-8")
    if args.check and stale:
        print(f"stale generated blocks in {', '.join(stale)}: run python -m terpadu.simulate.contract_docs",
              file=sys.stderr)
        return 1
    print(("updated: " + ", ".join(stale)) if stale else "up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One region's release: build it in a temp folder, upload, verify, then switch `latest`.

Object layout in the store:
  releases/<region_code>/<run_id>/readiness.html, readiness.pdf, extract/persons.{parquet,csv},
                                  worklists/<kecamatan_code>.xlsx, manifest.json
  releases/<region_code>/latest.json        pointer {run_id, manifest_key, manifest_sha256, published_at}
  releases/_audit/<run_id>/<region_code>.json   list of publish/hold events (who, what, when, sha256)

A region that failed an error suite is held: nothing is uploaded and its previous `latest` stays.
Every object is read back and checked against the manifest's size and sha256 before the switch; a
failure anywhere before the switch deletes what this attempt uploaded and leaves `latest` alone.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from terpadu import reference
from terpadu.publish import charts, sections
from terpadu.publish.config import PublishConfig
from terpadu.publish.forecast import describe, forecast, format_date, release_history, run_time
from terpadu.publish.glossary import GLOSSARY
from terpadu.publish.worklists import write_worklists
from terpadu.quality.gate import mart_path, read_gate
from terpadu.runs import run_dir
from terpadu.settings import Settings
from terpadu.storage import ObjectStore, open_store, sha256_file

log = logging.getLogger(__name__)

_NIK_IN_TEXT = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")

FLAG_LABELS = {
    "nik_not_in_dukcapil": ("NIK tidak ditemukan di Dukcapil", "NIK not found in Dukcapil"),
    "nik_invalid": ("NIK tidak valid", "invalid NIK"),
    "nik_excel_mangled": ("NIK rusak oleh Excel (mis. 3.51E+15)", "NIK damaged by Excel"),
    "nik_shared": ("satu NIK dipakai lebih dari satu orang", "one NIK used by several persons"),
    "dead_recipient": ("penerima bansos yang sudah meninggal", "dead person still receiving"),
    "inclusion_error": ("penerima di luar sasaran desil (inclusion error)", "recipient outside target desil"),
    "exclusion_error": ("layak tetapi tidak menerima (exclusion error)", "eligible but not receiving"),
    "moved_out": ("sudah pindah ke luar daerah", "moved out of the region"),
}


def mask_nik(value: Any) -> str:
    """8171010101900001 → 8171********0001 (UU PDP: reports never show a clear NIK)."""
    if value is None:
        return ""
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_niks_in(text: str) -> str:
    """Last line of defence: any 16-digit run left in a rendered report is masked."""
    return _NIK_IN_TEXT.sub(r"\1********\2", text)


def fmt_pct(value: Any) -> str:
    """0.8234 → '82.3%' (HTML and PDF alike)."""
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def fmt_num(value: Any) -> str:
    """12345 → '12.345' (Indonesian thousands separator)."""
    return "–" if value is None else f"{int(value):,}".replace(",", ".")


def release_prefix(region_code: str, run_id: str) -> str:
    return f"releases/{region_code}/{run_id}"


def latest_key(region_code: str) -> str:
    return f"releases/{region_code}/latest.json"


def read_latest(store: ObjectStore, region_code: str) -> dict | None:
    key = latest_key(region_code)
    return json.loads(store.get_bytes(key)) if store.exists(key) else None


def _who() -> str:
    return os.environ.get("USER") or "terpadu"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _append_audit(store: ObjectStore, run_id: str, region_code: str, event: dict) -> None:
    key = f"releases/_audit/{run_id}/{region_code}.json"
    events = json.loads(store.get_bytes(key)) if store.exists(key) else []
    events.append(event)
    store.put_bytes(key, json.dumps(events, indent=2, ensure_ascii=False).encode())


# --- building the release -----------------------------------------------------------------------
def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _report_data(con, run_id: str, region_code: str, gate: dict, settings: Settings,
                 history: list[dict], config: PublishConfig) -> dict:
    persons = str(mart_path(run_id, "dim_persons", settings))
    flags = str(mart_path(run_id, "fct_person_flags", settings))
    readiness_path = mart_path(run_id, "fct_region_readiness", settings)
    readiness_rows = _query(con, "select * from read_parquet(?) where region_code = ?",
                            [str(readiness_path), region_code])
    desil = _query(con, "select desil, count(*) as persons from read_parquet(?) where region_code = ? "
                        "group by desil order by desil nulls last", [persons, region_code])
    total = sum(row["persons"] for row in desil) or 1
    for row in desil:
        row["share"] = row["persons"] / total
    by_type = _query(con, "select flag_type, count(*) as flags from read_parquet(?) where region_code = ? "
                          "group by flag_type order by flags desc, flag_type", [flags, region_code])
    by_kecamatan = _query(con, "select kecamatan_code, flag_type, count(*) as flags from read_parquet(?) "
                               "where region_code = ? group by all order by kecamatan_code, flag_type",
                          [flags, region_code])
    kecamatan_names = reference.districts()
    kecamatan: dict[str, dict] = {}
    for row in by_kecamatan:
        code = row["kecamatan_code"] or "-"
        entry = kecamatan.setdefault(code, {"code": code, "name": kecamatan_names.get(code, "tidak diketahui"),
                                            "total": 0, "by_type": {}})
        entry["by_type"][row["flag_type"]] = row["flags"]
        entry["total"] += row["flags"]
    examples = _query(con, "select flag_type, nik, full_name, desa_code, reason, action from ("
                           " select *, row_number() over (partition by flag_type order by person_id) as n"
                           " from read_parquet(?) where region_code = ?) where n <= 5 order by flag_type, n",
                      [flags, region_code])
    region = reference.regencies()[region_code]
    readiness = readiness_rows[0] if readiness_rows else {}
    points = list(history)
    if readiness.get("readiness_score") is not None:
        points.append({"run_id": run_id, "at": run_time(run_id) or datetime.now(UTC),
                       "score": float(readiness["readiness_score"])})
    points.sort(key=lambda p: p["at"])
    outlook = forecast(points, config)
    desil_chart = charts.bars(
        [(f"desil {row['desil']}" if row["desil"] is not None else "belum ada", row["persons"],
          f"{row['persons']:,} ({row['share'] * 100:.1f}%)".replace(",", ".")) for row in desil],
        "Sebaran penduduk menurut desil")
    flag_chart = charts.bars(
        [(FLAG_LABELS.get(row["flag_type"], (row["flag_type"],))[0], row["flags"],
          f"{row['flags']:,}".replace(",", ".")) for row in by_type], "Temuan menurut jenis", color="#c0602a")
    villages = dict(reference.villages_by_regency().get(region_code, []))
    marts = run_dir(run_id, settings) / "marts"
    sanggahan = sections.sanggahan(con, marts / "fct_sanggahan.parquet", region_code, kecamatan_names, villages)
    ground_checks = sections.ground_checks(con, marts / "fct_ground_checks.parquet", region_code,
                                           kecamatan_names, readiness)
    usulan = sections.usulan(con, marts / "fct_usulan.parquet", region_code)
    clerical = sections.clerical_review(con, marts / "fct_clerical_review.parquet", region_code, kecamatan_names)
    completion = sections.ground_check_completion(con, readiness_path, region_code)
    return {
        "region": region, "run_id": run_id, "readiness": readiness,
        "trend": points, "outlook": outlook, "trend_window": config.trend_window, "outlook_text": describe(outlook),
        "trend_chart": charts.trend(points, outlook, "Skor kesiapan per rilis dan perkiraan"),
        "desil_chart": desil_chart, "flag_chart": flag_chart,
        "desil": desil, "persons_total": sum(row["persons"] for row in desil),
        "flags_by_type": by_type, "flags_total": sum(row["flags"] for row in by_type),
        "kecamatan": list(kecamatan.values()), "examples": examples, "gate": gate,
        "flag_labels": FLAG_LABELS, "generated_at": _now(), "code_version": settings.code_version,
        "sanggahan": sanggahan, "ground_checks": ground_checks, "usulan": usulan, "clerical": clerical,
        "ground_check_completion": completion,
        "unavailable": sections.UNAVAILABLE, "glossary": GLOSSARY,
    }


def _templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["mask_nik"] = mask_nik
    env.filters["pct"] = fmt_pct
    env.filters["num"] = fmt_num
    env.filters["tanggal"] = format_date
    return env


def render_template(name: str, **context: Any) -> str:
    return mask_niks_in(_templates().get_template(name).render(**context))


ROWS_COUNTED_AS = {  # written into every manifest, so a reader knows what `rows` means per file type
    "parquet": "data rows",
    "csv": "data rows, header line excluded",
    "xlsx": "data rows summed over all sheets, each sheet's header row excluded",
    "html": "null (a document)",
    "pdf": "null (a document); `pages` gives its page count",
}


def _count_rows(con, path: Path) -> int | None:
    if path.suffix == ".parquet":
        return con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
    if path.suffix == ".csv":
        return con.execute("select count(*) from read_csv(?, header = true, all_varchar = true)",
                           [str(path)]).fetchone()[0]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return sum(max(sheet.max_row - 1, 0) for sheet in book.worksheets)
    return None


def _deliveries(con, run_id: str, region_code: str, settings: Settings) -> list[dict]:
    path = run_dir(run_id, settings) / "marts" / "deliveries.parquet"
    if not path.exists():
        return []
    rows = _query(con, "select * from read_parquet(?) where region_code = ? order by source, delivery_id",
                  [str(path), region_code])
    keep = ("delivery_id", "source", "entity", "period", "original_file", "sha256", "rows_loaded",
            "loaded_at", "is_current")
    return [{k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
             for k, v in row.items() if k in keep} for row in rows]


def build_release(run_id: str, region_code: str, gate: dict, folder: Path, settings: Settings,
                  history: list[dict] | None = None, previous: dict | None = None,
                  config: PublishConfig | None = None) -> dict:
    """Write every file of the release and its manifest into `folder`; returns the manifest.

    `history`: earlier releases' readiness ([{run_id, at, score}]) for the trend; `previous`: the
    `latest.json` pointer this release replaces (recorded so the next release can find the history).
    """
    config = config or PublishConfig.from_env()
    persons = str(mart_path(run_id, "dim_persons", settings))
    con = duckdb.connect()
    try:
        (folder / "extract").mkdir(parents=True, exist_ok=True)
        # Region access level: the extract carries clear NIK for the region's operators.
        for name, options in (("persons.parquet", "format parquet, compression zstd"),
                              ("persons.csv", "format csv, header true")):
            target = (folder / "extract" / name).as_posix().replace("'", "''")
            con.execute(f"copy (select * from read_parquet(?) where region_code = ? order by person_id) "
                        f"to '{target}' ({options})", [persons, region_code])
        write_worklists(con, run_id, region_code, folder / "worklists", settings)
        report = _report_data(con, run_id, region_code, gate, settings, history or [], config)
        (folder / "readiness.html").write_text(render_template("readiness.html.j2", **report), encoding="utf-8")
        from terpadu.publish.pdf import render_pdf  # fpdf2 is imported only when a release is built

        pages = {"readiness.pdf": render_pdf(report, folder / "readiness.pdf")}
        files = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            entry = {"path": relative, "size": path.stat().st_size, "sha256": sha256_file(path),
                     "rows": _count_rows(con, path)}
            if relative in pages:
                entry["pages"] = pages[relative]
            files.append(entry)
        deliveries = _deliveries(con, run_id, region_code, settings)
    finally:
        con.close()
    manifest = {
        "region_code": region_code,
        "region_name": reference.regencies()[region_code].name,
        "run_id": run_id,
        "code_version": settings.code_version,
        "created_at": _now(),
        "files": files,
        "rows_counted_as": ROWS_COUNTED_AS,
        "report_sections": {name: report[name]["available"]
                            for name in ("sanggahan", "ground_checks", "usulan", "clerical",
                                         "ground_check_completion")},
        "source_deliveries": deliveries,
        "previous_release": ({"run_id": previous["run_id"], "manifest_key": previous["manifest_key"]}
                             if previous else None),
        "gate": {"passed": gate["passed"], "checked_at": gate["checked_at"],
                 "errors": gate["errors"], "warnings": gate["warnings"]},
        "readiness": {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
                      for k, v in report["readiness"].items()},
        "forecast": {"status": report["outlook"]["status"], "target": config.readiness_target,
                     "deadline": config.deadline.isoformat(),
                     "eta": report["outlook"]["eta"].isoformat() if report["outlook"]["eta"] else None,
                     "releases_used": report["outlook"]["used"]},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest


# --- publishing ---------------------------------------------------------------------------------
class VerificationError(RuntimeError):
    """An uploaded object does not match the manifest: the release is not switched."""


def verify_upload(store: ObjectStore, prefix: str, manifest: dict, manifest_sha: str, scratch: Path) -> None:
    """Read every object of the release back and compare size and sha256 with the manifest.

    Sizes alone miss a flipped byte, and S3 ETags are not sha256, so the bytes are downloaded and
    hashed (into `scratch`, not memory: an extract can be large)."""
    expected = [(f"{prefix}/{entry['path']}", entry["size"], entry["sha256"]) for entry in manifest["files"]]
    manifest_key = f"{prefix}/manifest.json"
    expected.append((manifest_key, None, manifest_sha))
    for i, (key, size, sha) in enumerate(expected):
        info = store.head(key)
        if info is None or (size is not None and info.size != size):
            raise VerificationError(f"{key}: {info.size if info else 'missing'} bytes in the store, {size} expected")
        local = scratch / f"{i}.bin"
        store.download(key, local)
        found = sha256_file(local)
        local.unlink()
        if found != sha:
            raise VerificationError(f"{key}: sha256 {found} in the store, {sha} expected")


def _discard(store: ObjectStore, keys: list[str]) -> None:
    """Best effort: remove what a failed attempt uploaded (nothing links to it; this keeps the prefix
    from being listed half-filled). A store that is down stays down; the error that got us here wins."""
    for key in reversed(keys):
        try:
            store.delete(key)
        except Exception as error:  # noqa: BLE001 - cleanup must not mask the original failure
            log.warning("could not delete %s after a failed publish: %s", key, error)


def publish_region(run_id: str, region_code: str, settings: Settings) -> dict:
    """Publish the region's release of `run_id`, or hold it when its gate failed an error suite."""
    gate = read_gate(run_id, region_code, settings)
    if gate is None:
        raise FileNotFoundError(
            f"no gate result for {region_code} in run {run_id}: run `terpadu quality --run {run_id}` first"
        )
    config = PublishConfig.from_env()
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    latest = read_latest(store, region_code)
    base = {"run_id": run_id, "region_code": region_code, "region_name": gate.get("region_name"),
            "previous_run_id": latest["run_id"] if latest else None}

    if not gate["passed"]:
        reasons = gate["errors"]
        _append_audit(store, run_id, region_code, {
            "who": _who(), "what": "held", "when": _now(), "reasons": [r["en"] for r in reasons],
            "latest_run_id": base["previous_run_id"],
        })
        return {**base, "status": "held", "reasons": reasons,
                "latest_run_id": base["previous_run_id"]}

    prefix = release_prefix(region_code, run_id)
    manifest_key = f"{prefix}/manifest.json"
    if latest and latest["run_id"] == run_id and store.exists(manifest_key):
        # Re-publishing the same run: the release is already current; touch nothing.
        return {**base, "status": "unchanged", "manifest_key": manifest_key,
                "manifest_sha256": latest.get("manifest_sha256"), "latest_run_id": run_id}
    newer, this = (run_time(latest["run_id"]) if latest else None), run_time(run_id)
    if newer and this and newer > this:
        # Re-running an older run must not move `latest` backwards.
        return {**base, "status": "superseded", "latest_run_id": latest["run_id"]}

    history = release_history(store, latest)
    uploaded: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"terpadu-release-{region_code}-") as tmp:
        folder, scratch = Path(tmp) / "release", Path(tmp) / "verify"
        folder.mkdir()
        scratch.mkdir()
        manifest = build_release(run_id, region_code, gate, folder, settings, history=history,
                                 previous=latest, config=config)
        manifest_path = folder / "manifest.json"
        manifest_sha = sha256_file(manifest_path)
        try:
            for entry in manifest["files"]:
                key = f"{prefix}/{entry['path']}"
                uploaded.append(key)  # before the call: a failed put may still have landed
                store.put_file(key, folder / entry["path"])
            uploaded.append(manifest_key)
            store.put_file(manifest_key, manifest_path)
            verify_upload(store, prefix, manifest, manifest_sha, scratch)
        except Exception as error:
            _discard(store, uploaded)
            try:
                _append_audit(store, run_id, region_code, {
                    "who": _who(), "what": "failed", "when": _now(), "error": f"{type(error).__name__}: {error}",
                    "latest_run_id": base["previous_run_id"],
                })
            except Exception as audit_error:  # noqa: BLE001 - the store may be what failed
                log.warning("could not record the failed publish of %s: %s", region_code, audit_error)
            raise

    published_at = _now()
    # The switch comes last and is one PUT: readers following latest.json only ever see a complete,
    # verified release.
    store.put_bytes(latest_key(region_code), json.dumps({
        "run_id": run_id, "manifest_key": manifest_key, "manifest_sha256": manifest_sha,
        "published_at": published_at, "code_version": settings.code_version,
    }, indent=2).encode())
    _append_audit(store, run_id, region_code, {
        "who": _who(), "what": "published", "when": published_at, "manifest_key": manifest_key,
        "manifest_sha256": manifest_sha, "previous_run_id": base["previous_run_id"],
        "files": {entry["path"]: entry["sha256"] for entry in manifest["files"]},
    })
    log.info("published %s %s (%d files)", region_code, run_id, len(manifest["files"]))
    return {**base, "status": "published", "manifest_key": manifest_key, "manifest_sha256": manifest_sha,
            "files": len(manifest["files"]), "warnings": gate["warnings"], "latest_run_id": run_id}

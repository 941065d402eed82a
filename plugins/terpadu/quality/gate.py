"""The quality gate for one region: GX suites on the region's slice of each mart.

Reads only the region's rows of the exported Parquet marts (DuckDB in memory → pandas; GX's SQL
datasource returns no rows on DuckDB), validates them with the committed suites in a GX ephemeral
context created once per process, and writes `state/runs/<run_id>/gate/<region_code>.json`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from terpadu import reference
from terpadu.quality import suites as suite_defs
from terpadu.runs import run_dir
from terpadu.settings import Settings
from terpadu.storage import open_store

log = logging.getLogger(__name__)

MARTS = ("dim_persons", "dim_families", "fct_person_flags", "fct_region_readiness", "analyst_persons")
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_niks(text: str) -> str:
    """UU PDP: never write a clear NIK into a gate report or a reason (8171********0001)."""
    return _SIXTEEN_DIGITS.sub(r"\1********\2", text)


def gate_path(run_id: str, region_code: str, settings: Settings) -> Path:
    return run_dir(run_id, settings) / "gate" / f"{region_code}.json"


def mart_path(run_id: str, mart: str, settings: Settings) -> Path:
    return run_dir(run_id, settings) / "marts" / f"{mart}.parquet"


# --- GX: one context per process ----------------------------------------------------------------
@lru_cache(maxsize=1)
def _gx() -> dict[str, Any]:
    """An ephemeral GX context with one pandas dataframe asset per mart, built once per process:
    importing GX and building a context costs seconds, validating a region well under one."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # Airflow logs, not a TTY
    source = context.data_sources.add_pandas("terpadu_marts")
    batch_definitions = {
        mart: source.add_dataframe_asset(mart).add_batch_definition_whole_dataframe("region_slice")
        for mart in MARTS
    }
    return {"gx": gx, "context": context, "batch_definitions": batch_definitions}


@lru_cache(maxsize=64)
def _suite(suite_json: str, skip: frozenset[str]):
    """A GX suite from its committed JSON, minus the expectations whose parameters are unknown."""
    import great_expectations as gx

    data = json.loads(suite_json)
    data["expectations"] = [e for e in data["expectations"] if e["meta"]["rule"] not in skip]
    return gx.ExpectationSuite(**data)


def _parameters_of(expectation: dict) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$PARAMETER" in value:
                found.add(value["$PARAMETER"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(expectation["kwargs"])
    return found


# --- the region's data and parameters -----------------------------------------------------------
# Columns the gate derives in DuckDB next to each mart's own (see suites.DERIVED for why).
# References are checked against the whole mart, not the region's slice: a person who moved keeps
# the Regsosek family of the region where it was enumerated, and a DTKS flag (moved_out, dead
# recipient) sits in the worklist of the region that lists the person.
_DERIVED_SQL = {
    "dim_persons": {
        "family_exists": "family_id in (select family_id from read_parquet($families))",
        "dead_recipient_flagged": "person_id in (select person_id from read_parquet($flags) "
                                  "where flag_type = 'dead_recipient')",
        "desa_in_kecamatan": "starts_with(desa_code, kecamatan_code || '.')",
    },
    "dim_families": {"desa_in_kecamatan": "starts_with(desa_code, kecamatan_code || '.')"},
    "fct_person_flags": {
        "person_exists": "person_id in (select person_id from read_parquet($persons))",
    },
}


def _read_slices(run_id: str, region_code: str, settings: Settings) -> dict[str, pd.DataFrame]:
    paths = {mart: mart_path(run_id, mart, settings) for mart in MARTS}
    for path in paths.values():
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: export the marts of run {run_id} first")
    con = duckdb.connect()
    try:
        frames = {}
        for mart in MARTS:
            extra = [f"{expr} as {suite_defs.DERIVED[name]}" for name, expr in _DERIVED_SQL.get(mart, {}).items()]
            if mart == "analyst_persons":
                # Every column as text in one field, so that the no-clear-NIK rule also covers
                # columns the suite does not know about.
                extra.append(f"concat_ws('|', *COLUMNS(*)) as {suite_defs.ROW_TEXT_COLUMN}")
            sql = f"select {', '.join(['*', *extra])} from read_parquet($path) where region_code = $region"
            params = {"path": str(paths[mart]), "region": region_code, "families": str(paths["dim_families"]),
                      "flags": str(paths["fct_person_flags"]), "persons": str(paths["dim_persons"])}
            frames[mart] = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).df()
        return frames
    finally:
        con.close()


def _dukcapil_delivered(run_id: str, region_code: str, settings: Settings) -> int | None:
    path = run_dir(run_id, settings) / "marts" / "deliveries.parquet"
    if not path.exists():
        return None
    con = duckdb.connect()
    try:
        row = con.execute(
            "select count(*), sum(rows_loaded) from read_parquet(?) "
            "where source = 'dukcapil' and region_code = ? and coalesce(is_current, true)",
            [str(path), region_code],
        ).fetchone()
    finally:
        con.close()
    return int(row[1]) if row and row[0] else None


def previous_release_persons(region_code: str, run_id: str, settings: Settings) -> int | None:
    """Persons in the region's current `latest` release, when it is another run's release."""
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    pointer_key = f"releases/{region_code}/latest.json"
    if not store.exists(pointer_key):
        return None
    pointer = json.loads(store.get_bytes(pointer_key))
    if pointer.get("run_id") == run_id:
        return None
    manifest = json.loads(store.get_bytes(pointer["manifest_key"]))
    for entry in manifest.get("files", []):
        if entry["path"] == "extract/persons.parquet":
            return entry.get("rows")
    return None


def _parameters(run_id: str, region_code: str, frames: dict[str, pd.DataFrame],
                settings: Settings) -> dict[str, Any]:
    kecamatan = sorted(code for code in reference.districts() if code.startswith(region_code + "."))
    villages = [code for code, _ in reference.villages_by_regency().get(region_code, [])]
    params: dict[str, Any] = {
        "kecamatan_codes": kecamatan,
        "desa_codes": villages,
        "persons_rows": len(frames["dim_persons"]),
    }
    delivered = _dukcapil_delivered(run_id, region_code, settings)
    if delivered is not None:
        params["dukcapil_min"] = int(delivered * (1 - suite_defs.DUKCAPIL_TOLERANCE))
        params["dukcapil_max"] = int(delivered * (1 + suite_defs.DUKCAPIL_TOLERANCE)) + 1
    previous = previous_release_persons(region_code, run_id, settings)
    if previous is not None:
        params["previous_release_min"] = int(previous * (1 - suite_defs.PREVIOUS_RELEASE_TOLERANCE))
        params["previous_release_max"] = int(previous * (1 + suite_defs.PREVIOUS_RELEASE_TOLERANCE)) + 1
    return params


# --- results ------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _reason(template: str, entry: dict) -> str:
    observed = entry["observed_value"]
    text = template.format(
        unexpected_count=entry["unexpected_count"] if entry["unexpected_count"] is not None else "?",
        element_count=entry["element_count"] if entry["element_count"] is not None else "?",
        observed_value="n/a" if observed is None else f"{observed:.3f}" if isinstance(observed, float) else observed,
    )
    return mask_niks(text)


def _entry(result, severity: str) -> dict:
    config = result.expectation_config
    meta = config.meta or {}
    res = result.result or {}
    exception = (result.exception_info or {}) if hasattr(result, "exception_info") else {}
    entry = {
        "rule": meta.get("rule"),
        "mart": meta.get("mart"),
        "expectation": config.type,
        "column": config.kwargs.get("column") or config.kwargs.get("column_A"),
        "severity": severity,
        "success": bool(result.success),
        "observed_value": _jsonable(res.get("observed_value")),
        "unexpected_count": _jsonable(res.get("unexpected_count")),
        "element_count": _jsonable(res.get("element_count")),
        "reason": None,
    }
    if isinstance(entry["observed_value"], str):
        entry["observed_value"] = mask_niks(entry["observed_value"])
    if not entry["success"]:
        if exception.get("raised_exception"):
            message = mask_niks(str(exception.get("exception_message", ""))[:300])
            entry["reason"] = {"id": f"pemeriksaan {meta.get('rule')} gagal dijalankan: {message}",
                               "en": f"check {meta.get('rule')} could not run: {message}"}
        else:
            entry["reason"] = {"id": _reason(meta.get("id", ""), entry), "en": _reason(meta.get("en", ""), entry)}
    return entry


def validate_region(run_id: str, region_code: str, settings: Settings, data_docs: bool = False) -> dict:
    """Validate one region's slice of every mart with the committed suites; write its gate JSON.

    `passed` is False when any `error` suite fails: the publisher then holds the region.
    """
    started = time.perf_counter()
    regions = reference.regencies()
    if region_code not in regions:
        raise ValueError(f"{region_code!r} is not a Kemendagri kab/kota code (expected e.g. 81.71)")
    frames = _read_slices(run_id, region_code, settings)
    params = _parameters(run_id, region_code, frames, settings)
    gx_state = _gx()
    # Counts only: sample values would carry clear NIKs and cost time; Data Docs (private) show them.
    result_format = "SUMMARY" if data_docs else {"result_format": "BASIC", "partial_unexpected_count": 0}
    suites_out = []
    results_for_docs = []
    for name, data in suite_defs.load_suites(settings).items():
        mart, severity = data["meta"]["mart"], data["meta"]["severity"]
        skipped = [e for e in data["expectations"] if _parameters_of(e) - params.keys()]
        suite = _suite(json.dumps(data, sort_keys=True), frozenset(e["meta"]["rule"] for e in skipped))
        entries = []
        if suite.expectations:
            batch = gx_state["batch_definitions"][mart].get_batch(batch_parameters={"dataframe": frames[mart]})
            result = batch.validate(suite, expectation_parameters=params, result_format=result_format)
            results_for_docs.append(result)
            order = {e["meta"]["rule"]: i for i, e in enumerate(data["expectations"])}
            entries = sorted((_entry(r, severity) for r in result.results), key=lambda e: order[e["rule"]])
        for expectation in skipped:  # e.g. no previous release yet: reported, not counted
            entries.append({
                "rule": expectation["meta"]["rule"], "mart": mart, "expectation": expectation["type"],
                "column": expectation["kwargs"].get("column"), "severity": severity, "success": None,
                "observed_value": None, "unexpected_count": None, "element_count": None,
                "reason": None, "skipped": "parameter tidak tersedia / parameter not available: "
                + ", ".join(sorted(_parameters_of(expectation) - params.keys())),
            })
        suites_out.append({
            "suite": name, "mart": mart, "severity": severity,
            "success": all(e["success"] is not False for e in entries),
            "expectations": entries,
        })

    def reasons(severity: str) -> list[dict]:
        return [{"suite": s["suite"], "rule": e["rule"], **e["reason"]}
                for s in suites_out if s["severity"] == severity
                for e in s["expectations"] if e["success"] is False]

    errors = reasons("error")
    outcome = {
        "run_id": run_id,
        "region_code": region_code,
        "region_name": regions[region_code].name,
        "passed": not errors,
        "status": "passed" if not errors else "held",
        "has_data": len(frames["dim_persons"]) > 0,
        "row_counts": {mart: len(frame) for mart, frame in frames.items()},
        "errors": errors,
        "warnings": reasons("warning"),
        "suites": suites_out,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_seconds": None,
    }
    if data_docs:
        outcome["data_docs"] = str(build_data_docs(run_id, region_code, results_for_docs, settings))
    outcome["duration_seconds"] = round(time.perf_counter() - started, 3)
    path = gate_path(run_id, region_code, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(outcome, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    log.info("gate %s %s: %s in %.2fs", run_id, region_code, outcome["status"], outcome["duration_seconds"])
    return outcome


def validate_regions(run_id: str, region_codes: list[str], settings: Settings,
                     data_docs: bool = False) -> list[dict]:
    """Several regions in one process: importing GX and building its context costs ~10-15 s per
    process, validating a region ~1-2.5 s, so Airflow should map over batches of regions."""
    return [validate_region(run_id, code, settings, data_docs=data_docs) for code in region_codes]


def read_gate(run_id: str, region_code: str, settings: Settings) -> dict | None:
    path = gate_path(run_id, region_code, settings)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def build_data_docs(run_id: str, region_code: str, results: list, settings: Settings) -> Path:
    """GX Data Docs for one region's validation results, under state/runs/<run_id>/data_docs/.

    Private: Data Docs show sample unexpected values (clear NIKs included), so they stay in the
    state folder and are never uploaded with a release.
    """
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    target = run_dir(run_id, settings) / "data_docs" / region_code
    target.mkdir(parents=True, exist_ok=True)
    renderer, view = ValidationResultsPageRenderer(), DefaultJinjaPageView()
    links = []
    for result in results:
        name = result.suite_name
        (target / f"{name}.html").write_text(view.render(renderer.render(result)), encoding="utf-8")
        links.append(f'<li><a href="{name}.html">{name}</a> — {"OK" if result.success else "GAGAL"}</li>')
    (target / "index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>Data Docs {region_code}</title>"
        f"<p><a href='../index.html'>← all regions</a></p>"
        f"<h1>Data Docs {region_code} — {run_id}</h1><ul>{''.join(links)}</ul>", encoding="utf-8")
    # The run's index lists every region validated so far; mapped tasks rewrite it atomically.
    root = target.parent
    regions = sorted(p.name for p in root.iterdir() if (p / "index.html").exists())
    index = root / "index.html"
    tmp = index.with_name(f".index.{os.getpid()}.tmp")
    tmp.write_text(
        f"<!doctype html><meta charset='utf-8'><title>Data Docs {run_id}</title><h1>Data Docs — run {run_id}</h1>"
        + "<ul>" + "".join(f"<li><a href='{code}/index.html'>{code}</a></li>" for code in regions) + "</ul>",
        encoding="utf-8")
    os.replace(tmp, index)
    return target / "index.html"

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
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from terpadu import reference
from terpadu.quality import suites as suite_defs
from terpadu.runs import run_dir
from terpadu.settings import Settings
from terpadu.storage import open_store

log = logging.getLogger(__name__)

MARTS = ("dim_persons", "dim_families", "fct_person_flags", "fct_region_readiness", "analyst_persons",
         "fct_clerical_review", "fct_sanggahan", "fct_usulan", "fct_ground_checks", "fct_family_changes")
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
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch (md5 over hash_pandas_object of the whole frame) for batch
    # markers nothing reads; the threshold is the only switch. Costs ~20 ms per mart per region.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,  # no usage statistics leave a government deployment
        progress_bars=ProgressBarsConfig(globally=False),  # Airflow logs, not a TTY
    ))
    source = context.data_sources.add_pandas("terpadu_marts")
    batch_definitions = {
        mart: source.add_dataframe_asset(mart).add_batch_definition_whole_dataframe("region_slice")
        for mart in MARTS
    }
    return {"gx": gx, "context": context, "batch_definitions": batch_definitions}


@lru_cache(maxsize=64)
def _mart_suite(mart: str, suites_json: str, skip: frozenset[str]):
    """One GX suite holding every expectation of every committed suite on `mart` (error and warning),
    minus those whose parameters are unknown. Validating a mart once instead of once per suite
    builds one batch and one metric graph, so shared metrics (row count, column types, null maps)
    are computed once. Each expectation keeps its meta, so results go back to their own suite."""
    import great_expectations as gx

    expectations = [e for data in json.loads(suites_json) for e in data["expectations"]
                    if e["meta"]["rule"] not in skip]
    return gx.ExpectationSuite(name=f"marts__{mart}", expectations=expectations)


def _validate_mart(mart: str, frame: pd.DataFrame, suite, params: dict, result_format: Any) -> list:
    """GX results of one mart's suite on one region's frame.

    Straight through GX's V1 Validator on the process's batch definition (what ValidationDefinition
    .run does, minus storing every result in the context's in-memory store): `Batch.validate` would
    build the batch twice (once for itself, once for the validator it creates).
    """
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(batch_definition=_gx()["batch_definitions"][mart],
                          batch_parameters={"dataframe": frame}, result_format=result_format)
    with _expectation_configuration_memo():
        return validator.validate_expectation_suite(suite, params).results


@contextmanager
def _expectation_configuration_memo():
    """GX 1.x rebuilds `Expectation.configuration` (a pydantic `.dict()` deep walk of every kwarg,
    value sets included) on each access - ~50 times per expectation per validation, ~40 % of the
    gate's CPU. Expectation objects are not changed during a validation, so within one validation
    each instance's configuration is built once. Scoped to the call and restored after it; the
    gate's tests (every error rule broken on its own) pin the outcomes."""
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__["configuration"]
    built: dict[int, tuple[Any, Any]] = {}

    def configuration(self):
        hit = built.get(id(self))
        if hit is None or hit[0] is not self:  # keep the instance so its id is not reused meanwhile
            hit = built[id(self)] = (self, original.fget(self))
        return hit[1]

    Expectation.configuration = property(configuration)
    try:
        yield
    finally:
        Expectation.configuration = original


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
    "fct_sanggahan": {
        "sla_consistent": "coalesce(is_open = (verification_status = 'BELUM') and is_past_sla = "
                          "coalesce(verification_status = 'BELUM' and days_open > sla_days, false), false)",
        "desa_in_kecamatan": "starts_with(desa_code, kecamatan_code || '.')",
    },
    **{mart: {"desa_in_kecamatan": "starts_with(desa_code, kecamatan_code || '.')"}
       for mart in ("fct_usulan", "fct_ground_checks", "fct_clerical_review", "fct_family_changes")},
}


def suite_columns(suites: dict[str, dict]) -> dict[str, list[str]]:
    """Per mart, the columns its committed suites read (`column`, column pairs/lists, row conditions).

    The gate hands GX only these: every other column would be converted to pandas, copied by each
    row-condition query and walked by GX's column-type metrics without being checked.
    """
    found: dict[str, set[str]] = {}

    def walk(value: Any, into: set[str]) -> None:
        if isinstance(value, dict):
            column = value.get("column")
            if isinstance(column, dict) and isinstance(column.get("name"), str):  # a row condition
                into.add(column["name"])
            for item in value.values():
                walk(item, into)
        elif isinstance(value, list):
            for item in value:
                walk(item, into)

    for data in suites.values():
        columns = found.setdefault(data["meta"]["mart"], {"region_code"})
        for expectation in data["expectations"]:
            kwargs = expectation["kwargs"]
            for key in ("column", "column_A", "column_B"):
                if isinstance(kwargs.get(key), str):
                    columns.add(kwargs[key])
            columns.update(c for c in kwargs.get("column_list") or [] if isinstance(c, str))
            walk(kwargs.get("row_condition"), columns)
    return {mart: sorted(columns) for mart, columns in found.items()}


def _read_slices(run_id: str, region_code: str, settings: Settings,
                 columns: dict[str, list[str]] | None = None) -> dict[str, pd.DataFrame]:
    """The region's rows of every mart (all in one in-memory DuckDB connection), with the derived
    `_gate_*` columns; with `columns`, only those of each mart (a column the mart lacks is left out,
    so GX reports it as missing instead of the read failing)."""
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
            wanted = [c for c in (columns or {}).get(mart, []) if not c.startswith("_gate_")]
            own = "COLUMNS(c -> list_contains($columns, c))" if columns is not None else "*"
            sql = f"select {', '.join([own, *extra])} from read_parquet($path) where region_code = $region"
            params = {"path": str(paths[mart]), "region": region_code, "families": str(paths["dim_families"]),
                      "flags": str(paths["fct_person_flags"]), "persons": str(paths["dim_persons"]),
                      "columns": wanted or ["region_code"]}
            frame = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).df()
            # GX's pandas between-metric is vectorised only for int64/float64 columns; DuckDB's
            # INTEGER arrives as int32 and would be compared value by value in Python.
            narrow = {c: ("int64" if frame[c].dtype.kind in "iu" else "float64") for c in frame.columns
                      if isinstance(frame[c].dtype, np.dtype) and frame[c].dtype.kind in "iuf"
                      and frame[c].dtype not in (np.int64, np.float64)}
            frames[mart] = frame.astype(narrow) if narrow else frame
        return frames
    finally:
        con.close()


def _dukcapil_delivered(run_id: str, region_code: str, settings: Settings) -> int | None:
    path = run_dir(run_id, settings) / "marts" / "deliveries.parquet"
    if not path.exists():
        return None
    con = duckdb.connect()
    try:
        # the DKB file only (entity persons): the NIK-matching answer (PADAN_, nik_verifications) is no
        # population count
        columns = {r[0] for r in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()}
        dkb_only = " and entities = 'persons'" if "entities" in columns else ""
        row = con.execute(
            "select count(*), sum(rows_loaded) from read_parquet(?) "
            f"where source = 'dukcapil'{dkb_only} and region_code = ? and coalesce(is_current, true)",
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


# Data Docs go to the object store under this prefix only: never releases/ or portal/ (public).
DATA_DOCS_PREFIX = "private/data_docs"
# What the DAG and the CLI build by default. Measured at ~1k persons per region: the gate costs
# ~0.94 s CPU per region; Data Docs for every region add ~0.35 s (SUMMARY results + GX rendering),
# too much for the gate's 20 % budget, so by default only regions a reviewer must open (held or
# warned) get pages, from a second, SUMMARY validation of the frames already in memory.
DATA_DOCS_DEFAULT = "failing"


def validate_region(run_id: str, region_code: str, settings: Settings,
                    data_docs: bool | str = False) -> dict:
    """Validate one region's slice of every mart with the committed suites; write its gate JSON.

    `passed` is False when any `error` suite fails: the publisher then holds the region.
    `data_docs`: False, True (pages for this region), or "failing" (pages only when the region has
    errors or warnings); pages are published under `private/data_docs/<run_id>/<region_code>/`.
    """
    if data_docs not in (False, True, "failing"):
        raise ValueError(f"data_docs must be False, True or 'failing', not {data_docs!r}")
    started = time.perf_counter()
    regions = reference.regencies()
    if region_code not in regions:
        raise ValueError(f"{region_code!r} is not a Kemendagri kab/kota code (expected e.g. 81.71)")
    committed = suite_defs.load_suites(settings)
    frames = _read_slices(run_id, region_code, settings, suite_columns(committed))
    params = _parameters(run_id, region_code, frames, settings)
    # Counts only: sample values would carry clear NIKs and cost time; Data Docs (private) show them.
    result_format = "SUMMARY" if data_docs is True else {"result_format": "BASIC", "partial_unexpected_count": 0}
    by_mart: dict[str, list[str]] = {}
    for name, data in committed.items():
        by_mart.setdefault(data["meta"]["mart"], []).append(name)
    entries_by_suite: dict[str, list[dict]] = {name: [] for name in committed}
    results_by_suite: dict[str, list] = {name: [] for name in committed}
    skipped_by_suite: dict[str, list[dict]] = {}
    for mart, names in by_mart.items():
        suite_of = {e["meta"]["rule"]: name for name in names for e in committed[name]["expectations"]}
        skipped = {name: [e for e in committed[name]["expectations"] if _parameters_of(e) - params.keys()]
                   for name in names}
        skip = frozenset(e["meta"]["rule"] for found in skipped.values() for e in found)
        skipped_by_suite.update(skipped)
        suite = _mart_suite(mart, json.dumps([committed[n] for n in names], sort_keys=True), skip)
        if not suite.expectations:
            continue
        for result in _validate_mart(mart, frames[mart], suite, params, result_format):
            name = suite_of[result.expectation_config.meta["rule"]]
            results_by_suite[name].append(result)
            entries_by_suite[name].append(_entry(result, committed[name]["meta"]["severity"]))
    suites_out = []
    for name, data in committed.items():
        mart, severity = data["meta"]["mart"], data["meta"]["severity"]
        order = {e["meta"]["rule"]: i for i, e in enumerate(data["expectations"])}
        entries = sorted(entries_by_suite[name], key=lambda e: order[e["rule"]])
        for expectation in skipped_by_suite.get(name, []):  # e.g. no previous release yet: reported, not counted
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
    from terpadu.quality.chaos import corruptions  # chaos imports this module

    on_purpose = [c for c in corruptions(run_id, settings) if c["region_code"] == region_code]
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
        # Set when terpadu.quality.chaos broke this region for a demo/test: the hold is staged.
        "corrupted_on_purpose": on_purpose or None,
        "suites": suites_out,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_seconds": None,
    }
    if data_docs == "failing" and (outcome["errors"] or outcome["warnings"]):
        # Same frames, same suites, SUMMARY results: the pages show sample unexpected values.
        results_by_suite = {name: [] for name in committed}
        for mart, names in by_mart.items():
            skip = frozenset(e["meta"]["rule"] for n in names for e in skipped_by_suite.get(n, []))
            suite = _mart_suite(mart, json.dumps([committed[n] for n in names], sort_keys=True), skip)
            if suite.expectations:
                suite_of = {e["meta"]["rule"]: n for n in names for e in committed[n]["expectations"]}
                for result in _validate_mart(mart, frames[mart], suite, params, "SUMMARY"):
                    results_by_suite[suite_of[result.expectation_config.meta["rule"]]].append(result)
        data_docs = True
    if data_docs is True:
        outcome["data_docs"] = str(build_data_docs(run_id, region_code, results_by_suite, settings))
        outcome["data_docs_key"] = publish_data_docs(run_id, region_code, settings)
    outcome["duration_seconds"] = round(time.perf_counter() - started, 3)
    path = gate_path(run_id, region_code, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(outcome, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    log.info("gate %s %s: %s in %.2fs", run_id, region_code, outcome["status"], outcome["duration_seconds"])
    for corruption in on_purpose:
        log.warning("gate %s %s: this region was CORRUPTED ON PURPOSE (%s: %s)", run_id, region_code,
                    corruption["rule"], corruption["what"])
    return outcome


def validate_regions(run_id: str, region_codes: list[str], settings: Settings,
                     data_docs: bool | str = False) -> list[dict]:
    """Several regions in one process: importing GX and building its context costs ~10-15 s per
    process, validating a region ~1-2.5 s, so Airflow should map over batches of regions."""
    return [validate_region(run_id, code, settings, data_docs=data_docs) for code in region_codes]


def read_gate(run_id: str, region_code: str, settings: Settings) -> dict | None:
    path = gate_path(run_id, region_code, settings)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def build_data_docs(run_id: str, region_code: str, results: dict[str, list], settings: Settings) -> Path:
    """GX Data Docs for one region's validation results, under state/runs/<run_id>/data_docs/.

    Private: Data Docs show sample unexpected values (clear NIKs included), so they stay in the
    state folder and are never uploaded with a release.
    """
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView
    from great_expectations.validator.validator import calc_validation_statistics

    target = run_dir(run_id, settings) / "data_docs" / region_code
    target.mkdir(parents=True, exist_ok=True)
    renderer, view = ValidationResultsPageRenderer(), DefaultJinjaPageView()
    links = []
    for name, suite_results in results.items():
        if not suite_results:
            continue
        # The gate validates each mart once; a page per committed suite, as a reviewer reads them.
        for item in suite_results:  # GX's renderer rejects numpy scalars (num_to_str) and logs a trace
            observed = (item.result or {}).get("observed_value")
            if hasattr(observed, "item"):
                item.result["observed_value"] = observed.item()
        stats = calc_validation_statistics(suite_results)
        result = ExpectationSuiteValidationResult(
            success=stats.success, results=suite_results, suite_name=name,
            statistics={"evaluated_expectations": stats.evaluated_expectations,
                        "successful_expectations": stats.successful_expectations,
                        "unsuccessful_expectations": stats.unsuccessful_expectations,
                        "success_percent": stats.success_percent},
            meta={"run_id": run_id, "region_code": region_code, "active_batch_definition": {
                "datasource_name": "terpadu_marts",
                "data_asset_name": suite_results[0].expectation_config.meta["mart"]}})
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


def data_docs_key(run_id: str, region_code: str | None = None, name: str = "index.html") -> str:
    return "/".join(part for part in (DATA_DOCS_PREFIX, run_id, region_code, name) if part)


def publish_data_docs(run_id: str, region_code: str, settings: Settings) -> str:
    """Upload one region's Data Docs pages to the object store's private prefix; the index's key.

    Private: the pages can show sample values, clear NIKs included. The deployment's bucket policy
    must keep `private/` readable only by the data team (see expectations/README.md).
    """
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    folder = run_dir(run_id, settings) / "data_docs" / region_code
    for page in sorted(folder.glob("*.html")):
        store.put_file(data_docs_key(run_id, region_code, page.name), page)
    return data_docs_key(run_id, region_code)


def publish_data_docs_index(run_id: str, results: list[dict], settings: Settings) -> str | None:
    """The run's Data Docs index (regions with pages, with their gate status) under the private
    prefix, written once by the single task that sees every region's result. None: no pages."""
    with_docs = sorted((r for r in results if r.get("data_docs_key")), key=lambda r: r["region_code"])
    if not with_docs:
        return None
    import html

    items = "".join(
        f"<li><a href='{html.escape(r['region_code'])}/index.html'>{html.escape(r['region_code'])} "
        f"{html.escape(r.get('region_name') or '')}</a> — {'LULUS' if r['passed'] else 'DITAHAN'}"
        f"{' (dirusak dengan sengaja / corrupted on purpose)' if r.get('corrupted_on_purpose') else ''}</li>"
        for r in with_docs)
    page = (f"<!doctype html><meta charset='utf-8'><title>Data Docs {html.escape(run_id)}</title>"
            f"<h1>Data Docs — run {html.escape(run_id)}</h1>"
            "<p>Privat: hanya untuk tim data (bisa memuat NIK). / Private: data team only (may show NIKs).</p>"
            f"<ul>{items}</ul>")
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    key = data_docs_key(run_id)
    store.put_bytes(key, page.encode("utf-8"))
    return key

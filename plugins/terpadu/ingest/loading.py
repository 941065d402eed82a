"""Loading: the only code that writes the `raw` schema of the warehouse.

One transaction per delivery: staged rows are checked in SQL, clean rows go to raw.<table>, rows
breaking the contract to raw.quarantine (one line per broken rule), and the delivery to
raw.delivery_log. A failure rolls everything of that delivery back and logs it as rejected.

A corrected re-delivery (same source, entities, region and period; different bytes) supersedes the
current one: the earlier rows stay in raw as history, the log marks them is_current = false.
dbt staging must read only rows whose `_delivery_id` is current in raw.delivery_log.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from terpadu import warehouse
from terpadu.ingest.landing import update_manifest
from terpadu.settings import Settings
from terpadu.sources import checks
from terpadu.sources.contracts import LINEAGE_COLUMNS, SOURCES, Kind, Source
from terpadu.sources.readers import (
    DeliveryName,
    DeliveryRejected,
    StagedEntity,
    drop_staged,
    raw_column_types,
    stage_delivery,
)
from terpadu.storage import LocalObjectStore, open_store

log = logging.getLogger(__name__)
RAW = warehouse.RAW


class RowAccountingError(AssertionError):
    """rows_read ≠ rows_loaded + rows_quarantined: a bug in ingest, never a data problem."""


DELIVERY_LOG_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW}.delivery_log (
    delivery_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, entities VARCHAR, region_code VARCHAR,
    period VARCHAR, original_file VARCHAR NOT NULL, landing_key VARCHAR, sha256 VARCHAR NOT NULL,
    size_bytes BIGINT, received_at TIMESTAMP, loaded_at TIMESTAMP NOT NULL, contract_version VARCHAR,
    outcome VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'duplicate', 'superseded')),
    rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL,
    is_current BOOLEAN NOT NULL, superseded_by VARCHAR, message VARCHAR,
    CHECK (rows_read = rows_loaded + rows_quarantined))"""

QUARANTINE_DDL = f"""
CREATE TABLE IF NOT EXISTS {RAW}.quarantine (
    delivery_id VARCHAR NOT NULL, source VARCHAR NOT NULL, entity VARCHAR NOT NULL, source_file VARCHAR NOT NULL,
    row_number BIGINT NOT NULL, column_name VARCHAR, raw_value VARCHAR, rule VARCHAR NOT NULL,
    message VARCHAR NOT NULL, quarantined_at TIMESTAMP NOT NULL)"""


def ensure_schema(conn) -> None:
    """raw schema, log, quarantine, and every raw table with its declared types, so dbt staging
    builds before a source has delivered anything (Parquet deliveries are cast into these types)."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW}")
    conn.execute(DELIVERY_LOG_DDL)
    conn.execute(QUARANTINE_DDL)
    for source in SOURCES.values():
        for entity in source.entities:
            cols = ", ".join(f'"{name}" {kind}' for name, kind in raw_column_types(source, entity).items())
            conn.execute(f"CREATE TABLE IF NOT EXISTS {RAW}.{entity.raw_table} ({cols}, _delivery_id VARCHAR, "
                         "_source_file VARCHAR, _row_number BIGINT, _loaded_at TIMESTAMP)")


def _lit(value) -> str:
    """A SQL literal. Ingest inlines its few scalar values instead of binding parameters: DuckDB's
    Python client imports pandas on the first bound parameter, 3-5 s of every ingest process."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    return "'" + str(value).replace("'", "''") + "'"


def _log_row(conn, manifest: dict, *, outcome: str, delivery_id: str, loaded_at: datetime, rows_read=0,
             rows_loaded=0, rows_quarantined=0, is_current=False, message="") -> None:
    values = [delivery_id, manifest["source"], ",".join(manifest.get("entities") or []), manifest.get("region_code"),
              manifest.get("period"), manifest["original_file"], manifest.get("landing_key"), manifest["sha256"],
              manifest.get("size_bytes")]
    received = manifest.get("received_at")
    conn.execute(
        f"INSERT INTO {RAW}.delivery_log VALUES ({', '.join(map(_lit, values))}, "
        f"{_lit(received)}::TIMESTAMP, "
        + ", ".join(map(_lit, [loaded_at, manifest.get("contract_version"), outcome, rows_read, rows_loaded,
                               rows_quarantined, is_current]))
        + f", NULL, {_lit(message)})")


def _result(manifest: dict, outcome: str, delivery_id: str, **extra) -> dict:
    return {
        "delivery_id": delivery_id, "source": manifest["source"], "original_file": manifest["original_file"],
        "region_code": manifest.get("region_code"), "period": manifest.get("period"), "outcome": outcome,
        "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "quarantine_by_rule": {}, "warnings": [],
        "message": "", **extra,
    }


def _local_copy(manifest: dict, settings: Settings, work_dir: Path) -> Path:
    """The landed bytes as a local file: in place for a local store, downloaded from S3."""
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    if isinstance(store, LocalObjectStore):
        return store.root / manifest["landing_key"]
    target = work_dir / manifest["original_file"]
    store.download(manifest["landing_key"], target)
    return target


def _check_and_insert(conn, source: Source, staged: StagedEntity, name: DeliveryName, did: str,
                      file_name: str, loaded_at: datetime) -> tuple[int, int, dict[str, int], bool, str | None]:
    """Validate one staged entity in SQL and write it. Returns (loaded, quarantined, by_rule,
    last_row_bad, period_problem).

    One pass evaluates a single boolean per row (`any_error_sql`); only the rows it flags get the
    per-rule detail (`errors_sql`), into the small temp table `_qrows`. Clean rows then go to raw in one parallel
    insert that skips the `_qrows` row numbers (an anti join against a usually empty table)."""
    entity = staged.entity
    is_text = source.file_format != "parquet"
    declared = raw_column_types(source, entity)
    delivered = staged.column_types
    args = (entity, is_text, name.region_digits, name.period, delivered, declared)
    errors, any_error = checks.errors_sql(*args), checks.any_error_sql(*args)
    conn.execute("DROP TABLE IF EXISTS _flagged")
    conn.execute("DROP TABLE IF EXISTS _qrows")
    # The flags are gathered by an aggregate on purpose: a WHERE on them would be pushed below the
    # projection in `prepared_sql`, inlining its trimmed values into every OR branch (6x slower).
    conn.execute(f"""
        CREATE TEMP TABLE _flagged AS SELECT unnest(flagged) AS _row_number FROM (
            SELECT list(_row_number) FILTER (WHERE {any_error}) AS flagged
            FROM ({checks.prepared_sql(entity, staged.table, delivered, declared)}))""")
    flagged_rows = f"(SELECT s.* FROM {staged.table} s SEMI JOIN _flagged f ON s._row_number = f._row_number)"
    conn.execute(f"""
        CREATE TEMP TABLE _qrows AS
        SELECT _row_number, e.column_name, e.raw_value, e.rule, e.message
        FROM (SELECT _row_number, unnest({errors}) AS e
              FROM ({checks.prepared_sql(entity, flagged_rows, delivered, declared)}))
        UNION ALL SELECT _row_number, column_name, raw_value, rule, message FROM {staged.bad_table}""")
    # Whole-file checks before anything is written.
    period_problem = None
    if staged.rows_read and any(c.kind == Kind.PERIOD for c in entity.columns):
        periode = "trim(CAST(periode AS VARCHAR))"
        # EXISTS stops at the first matching row; the mode (for the message) only when none does.
        if not conn.execute(f"SELECT EXISTS (SELECT 1 FROM {staged.table} WHERE {periode} = "
                            f"{_lit(name.period)})").fetchone()[0]:
            other = conn.execute(f"SELECT mode({periode}) FROM {staged.table}").fetchone()[0]
            period_problem = (f"{file_name}: the file name says period {name.period} but no row has PERIODE "
                              f"{name.period} (most rows say {other})")
    last_bad = not staged.ends_cleanly and conn.execute(
        f"SELECT count(*) > 0 FROM _qrows WHERE _row_number = {int(staged.last_row_number)}").fetchone()[0]
    target = f"{RAW}.{entity.raw_table}"
    select = ", ".join(f'"{c}"' for c in declared)
    # Parquet values are cast into the declared types; a value that does not convert is in _qrows
    # (bad_type), so TRY_CAST never turns a delivered value into a silent NULL in raw.
    values = ", ".join(f's."{c}"' if (delivered or {}).get(c, kind) == kind else f'TRY_CAST(s."{c}" AS {kind})'
                       for c, kind in declared.items())
    lineage = ", ".join(LINEAGE_COLUMNS)
    # Raw rows carry their file row number, so their physical order does not matter: letting DuckDB
    # write them unordered roughly halves the insert on two cores.
    has_bad = conn.execute("SELECT EXISTS (SELECT 1 FROM _qrows)").fetchone()[0]
    skip_bad = " ANTI JOIN _qrows q ON s._row_number = q._row_number" if has_bad else ""
    conn.execute("SET preserve_insertion_order = false")
    try:
        loaded = conn.execute(
            f"INSERT INTO {target} ({select}, {lineage}) SELECT {values}, {_lit(did)}, {_lit(file_name)}, "
            f"s._row_number, {_lit(loaded_at)} FROM {staged.table} s{skip_bad}").fetchone()[0]
    finally:
        conn.execute("SET preserve_insertion_order = true")
    conn.execute(
        f"INSERT INTO {RAW}.quarantine SELECT {_lit(did)}, {_lit(source.name)}, {_lit(entity.name)}, "
        f"{_lit(file_name)}, _row_number, column_name, raw_value, rule, message, {_lit(loaded_at)} FROM _qrows")
    quarantined = conn.execute("SELECT count(DISTINCT _row_number) FROM _qrows").fetchone()[0]
    by_rule = dict(conn.execute("SELECT rule, count(DISTINCT _row_number) FROM _qrows GROUP BY rule "
                                "ORDER BY 2 DESC, 1").fetchall())
    conn.execute("DROP TABLE IF EXISTS _qrows")
    conn.execute("DROP TABLE IF EXISTS _flagged")
    drop_staged(conn, staged)
    return loaded, quarantined, by_rule, last_bad, period_problem


def _load_one(conn, source: Source, manifest: dict, settings: Settings) -> dict:
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    did = manifest["delivery_id"]
    known = {row[0]: row for row in conn.execute(
        f"SELECT delivery_id, outcome, loaded_at FROM {RAW}.delivery_log WHERE delivery_id = {_lit(did)} OR "
        f"starts_with(delivery_id, {_lit(did + '~')})").fetchall()}

    if manifest["outcome"] == "duplicate":
        # Same bytes as a landed delivery. Re-scanning the same inbox file is a no-op; the same bytes
        # arriving again (a new file time) get one `duplicate` line in the log.
        first = manifest.get("first_received_at") == manifest["received_at"]
        dup_id = did if first else f"{did}~{manifest['received_at']}"
        if did in known and dup_id in known:
            return _result(manifest, "duplicate", did, message=f"already processed as {did} ({known[did][1]})")
        if did in known:
            conn.execute("BEGIN")
            _log_row(conn, {**manifest, "original_file": manifest.get("duplicate_file", manifest["original_file"])},
                     outcome="duplicate", delivery_id=dup_id, loaded_at=loaded_at,
                     message=f"same bytes (sha256) as delivery {did}: not loaded again")
            conn.execute("COMMIT")
            return _result(manifest, "duplicate", dup_id, message=f"same bytes as {did}: not loaded again")
        # Landed before but never logged (a crash between landing and loading): load it now.
    elif did in known:
        return _result(manifest, "duplicate", did, message=f"already processed ({known[did][1]})")

    if manifest["outcome"] == "rejected":
        conn.execute("BEGIN")
        _log_row(conn, manifest, outcome="rejected", delivery_id=did, loaded_at=loaded_at, message=manifest["message"])
        conn.execute("COMMIT")
        return _result(manifest, "rejected", did, message=manifest["message"])

    name = DeliveryName(source.name, manifest["region_code"], manifest["region_code"].replace(".", ""),
                        manifest["period"], tuple(manifest["entities"]))
    file_name = manifest["original_file"]
    staged: list[StagedEntity] = []
    in_transaction = False
    with tempfile.TemporaryDirectory(prefix="terpadu-ingest-") as tmp:
        try:
            # Staging writes only this connection's temp tables, so it runs before the delivery's
            # transaction: the CSV reader numbers rows by the rowid of its committed temp table
            # (inside a transaction, appended rows carry provisional rowids).
            staged = stage_delivery(conn, source, _local_copy(manifest, settings, Path(tmp)), name, Path(tmp))
            conn.execute("BEGIN")
            in_transaction = True
            read = loaded = quarantined = 0
            by_rule: dict[str, int] = {}
            warnings = [w for s in staged for w in s.warnings]
            for entity in staged:
                n_loaded, n_quarantined, rules, last_bad, period_problem = _check_and_insert(
                    conn, source, entity, name, did, file_name, loaded_at)
                if period_problem:
                    raise DeliveryRejected(period_problem, "Rename the file to the period of its rows, or "
                                           "re-export the right period")
                if not entity.ends_cleanly and last_bad:
                    raise DeliveryRejected(
                        f"{file_name} ends in the middle of row {entity.last_row_number} (no final newline and "
                        "the last row is incomplete): the file is truncated",
                        "Deliver the complete file again")
                if entity.rows_read != n_loaded + n_quarantined:
                    raise RowAccountingError(
                        f"{file_name} ({entity.entity.name}): read {entity.rows_read} rows but loaded {n_loaded} "
                        f"and quarantined {n_quarantined}")
                read += entity.rows_read
                loaded += n_loaded
                quarantined += n_quarantined
                for rule, count in rules.items():
                    by_rule[rule] = by_rule.get(rule, 0) + count
            if read == 0:
                raise DeliveryRejected(f"{file_name} has a header but no data rows",
                                       "Re-export the file with its rows; if the region truly has none this "
                                       "period, tell the data steward instead of sending an empty file")
            if loaded == 0:
                top = max(by_rule, key=by_rule.get)
                raise DeliveryRejected(
                    f"{file_name}: every one of its {read} rows breaks the contract (most often: {top})",
                    "Check the export settings against the contract and deliver the file again")
            superseded = conn.execute(
                f"UPDATE {RAW}.delivery_log SET is_current = false, outcome = 'superseded', "
                f"superseded_by = {_lit(did)} WHERE source = {_lit(source.name)} AND "
                f"entities = {_lit(','.join(name.entities))} AND region_code = {_lit(name.region_code)} AND "
                f"period = {_lit(name.period)} AND is_current RETURNING delivery_id").fetchall()
            supersedes = [f"supersedes {', '.join(r[0] for r in superseded)}"] if superseded else []
            message = "; ".join(warnings + supersedes)
            _log_row(conn, manifest, outcome="accepted", delivery_id=did, loaded_at=loaded_at, rows_read=read,
                     rows_loaded=loaded, rows_quarantined=quarantined, is_current=True, message=message)
            conn.execute("COMMIT")
            in_transaction = False
        except DeliveryRejected as error:
            if in_transaction:
                conn.execute("ROLLBACK")
            message = str(error)
            conn.execute("BEGIN")
            _log_row(conn, manifest, outcome="rejected", delivery_id=did, loaded_at=loaded_at, message=message)
            conn.execute("COMMIT")
            update_manifest(manifest, settings, outcome="rejected", message=message)
            return _result(manifest, "rejected", did, message=message)
        except RowAccountingError:
            if in_transaction:
                conn.execute("ROLLBACK")
            raise
        except Exception as error:
            if in_transaction:
                conn.execute("ROLLBACK")
            log.exception("loading %s failed", file_name)
            message = f"ingest failed while loading {file_name}: {type(error).__name__}: {error}"
            conn.execute("BEGIN")
            _log_row(conn, manifest, outcome="rejected", delivery_id=did, loaded_at=loaded_at, message=message)
            conn.execute("COMMIT")
            return _result(manifest, "rejected", did, message=message)
        finally:
            for entity in staged:  # a rolled-back delivery leaves its staged temp tables behind
                drop_staged(conn, entity)
    update_manifest(manifest, settings, outcome="accepted", row_count=read, rows_loaded=loaded,
                    rows_quarantined=quarantined)
    return _result(manifest, "accepted", did, rows_read=read, rows_loaded=loaded, rows_quarantined=quarantined,
                   quarantine_by_rule=by_rule, warnings=warnings, message=message,
                   superseded=[r[0] for r in superseded])


def load_deliveries(source: str, landed: list[dict], settings: Settings) -> list[dict]:
    """Load landed deliveries (manifests from `land_delivery`) in arrival order; one result per delivery."""
    contract = SOURCES[source]
    conn = warehouse.connect(settings=settings)
    conn.execute("SET enable_progress_bar = false")
    try:
        ensure_schema(conn)
        checks.ensure_reference_tables(conn)
        ordered = sorted(landed, key=lambda m: (m.get("received_at") or "", m["original_file"]))
        return [_load_one(conn, contract, manifest, settings) for manifest in ordered]
    finally:
        conn.close()

"""The national analyst extract: every released region's persons, pseudonymised, under its own prefix.

  national/<run_id>/analyst_persons.parquet, national/<run_id>/manifest.json
  national/latest.json

Outside `releases/`: no region principal can read it (deploy/s3-bucket-policy.json), and the
national analysts' role reads nothing else. It comes from the `analyst_persons` mart (keyed NIK
hash, birth year only); before anything is uploaded the file is checked again: no identifying
column and no value that is a clear NIK. Only regions the gate passed in this run are included.
Same upload → verify → switch as a region's release.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import duckdb

from terpadu import reference
from terpadu.publish.release import VerificationError, _append_audit, _discard, _now, _who, verify_upload
from terpadu.quality.gate import mart_path, read_gate
from terpadu.settings import Settings
from terpadu.storage import open_store, sha256_file

log = logging.getLogger(__name__)

NATIONAL_PREFIX = "national"
IDENTIFYING_COLUMNS = {"nik", "full_name", "kk_number", "birth_date", "nama", "no_kk", "address", "alamat"}
_CLEAR_NIK = r"^\s*\d{16}(\.0+)?\s*$"  # a whole value of 16 digits (hex hashes may hold digit runs)


class NotPseudonymisedError(RuntimeError):
    """The analyst extract would carry an identifying column or a clear NIK."""


def clear_nik_values(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Cells in any column (as text) that are a clear NIK."""
    columns = [row[0] for row in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()]
    checks = " + ".join(f"count(*) filter (where regexp_matches(cast(\"{c}\" as varchar), '{_CLEAR_NIK}'))"
                        for c in columns)
    return con.execute(f"select {checks} from read_parquet(?)", [str(path)]).fetchone()[0]


def publish_national(run_id: str, settings: Settings, regions: list[str] | None = None) -> dict:
    """Publish the pseudonymised national extract of `run_id` (idempotent, verified, atomic switch)."""
    codes = regions or [r.code for r in reference.pilot_regions(settings.pilot_regions_file)]
    passed = sorted(code for code in codes if (gate := read_gate(run_id, code, settings)) and gate["passed"])
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    prefix = f"{NATIONAL_PREFIX}/{run_id}"
    manifest_key, latest_key = f"{prefix}/manifest.json", f"{NATIONAL_PREFIX}/latest.json"
    latest = json.loads(store.get_bytes(latest_key)) if store.exists(latest_key) else None
    if latest and latest["run_id"] == run_id and store.exists(manifest_key):
        return {"status": "unchanged", "run_id": run_id, "manifest_key": manifest_key}
    source = mart_path(run_id, "analyst_persons", settings)
    uploaded: list[str] = []
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="terpadu-national-") as tmp:
            folder, scratch = Path(tmp) / "release", Path(tmp) / "verify"
            folder.mkdir()
            scratch.mkdir()
            target = folder / "analyst_persons.parquet"
            quoted = target.as_posix().replace("'", "''")
            con.execute(f"copy (select * from read_parquet(?) where list_contains(?::varchar[], region_code) "
                        f"order by region_code, nik_hash) to '{quoted}' (format parquet, compression zstd)",
                        [str(source), passed])
            columns = {row[0].lower() for row in
                       con.execute("describe select * from read_parquet(?)", [str(target)]).fetchall()}
            if found := columns & IDENTIFYING_COLUMNS:
                raise NotPseudonymisedError(f"analyst_persons carries identifying columns {sorted(found)}")
            if "nik_hash" not in columns:
                raise NotPseudonymisedError("analyst_persons has no nik_hash: analysts could not link persons")
            if clear := clear_nik_values(con, target):
                raise NotPseudonymisedError(f"{clear} values in analyst_persons are clear NIKs")
            rows = con.execute("select count(*) from read_parquet(?)", [str(target)]).fetchone()[0]
            manifest = {
                "run_id": run_id, "code_version": settings.code_version, "created_at": _now(),
                "access": "national analysts: pseudonymised (keyed NIK hash), no clear NIK",
                "regions": passed,
                "files": [{"path": target.name, "size": target.stat().st_size, "sha256": sha256_file(target),
                           "rows": rows}],
            }
            (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
            manifest_sha = sha256_file(folder / "manifest.json")
            try:
                for name in (target.name, "manifest.json"):
                    uploaded.append(f"{prefix}/{name}")
                    store.put_file(f"{prefix}/{name}", folder / name)
                verify_upload(store, prefix, manifest, manifest_sha, scratch)
            except Exception:
                _discard(store, uploaded)
                raise
    finally:
        con.close()
    store.put_bytes(latest_key, json.dumps({"run_id": run_id, "manifest_key": manifest_key,
                                            "manifest_sha256": manifest_sha, "published_at": _now()},
                                           indent=2).encode())
    _append_audit(store, run_id, "_national", {"who": _who(), "what": "published", "when": _now(),
                                               "manifest_key": manifest_key, "manifest_sha256": manifest_sha})
    log.info("published national extract %s: %d rows from %d regions", run_id, rows, len(passed))
    return {"status": "published", "run_id": run_id, "manifest_key": manifest_key, "rows": rows,
            "regions": len(passed), "manifest_sha256": manifest_sha}


__all__ = ["NATIONAL_PREFIX", "NotPseudonymisedError", "VerificationError", "publish_national"]

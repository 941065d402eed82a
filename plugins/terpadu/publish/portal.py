"""The static portal: every pilot region with its readiness, last release and status.

Written into the object store under `portal/`. Links are relative on the local store (the portal
and the releases sit in the same folder tree) and presigned on S3 (the bucket stays private).

Isolation: a region's page links only that region's files, and the index links the region pages
*unsigned* (relative). A presigned link carries the publisher's authority, so a signed index →
signed region page → signed extract chain would let whoever holds the index download every
region's clear-NIK files. Unsigned, a region page opens only with credentials the bucket policy
allows for it (deploy/s3-bucket-policy.json): the region's own role or the data team.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from terpadu import reference
from terpadu.publish.config import PublishConfig
from terpadu.publish.release import read_latest, release_prefix, render_template
from terpadu.quality.gate import mart_path, read_gate
from terpadu.settings import Settings
from terpadu.storage import LocalObjectStore, ObjectStore, open_store


def _linker(store: ObjectStore, expires: int):
    if isinstance(store, LocalObjectStore):
        return lambda key: "../" + key  # relative from portal/<page>.html
    return lambda key: store.link(key, expires)


def _readiness_scores(run_id: str, settings: Settings) -> dict[str, float]:
    path = mart_path(run_id, "fct_region_readiness", settings)
    if not path.exists():
        return {}
    con = duckdb.connect()
    try:
        rows = con.execute("select region_code, readiness_score from read_parquet(?)", [str(path)]).fetchall()
    finally:
        con.close()
    return {code: score for code, score in rows}


def _on_purpose(gate: dict) -> list[dict]:
    """A demo's deliberate corruption (terpadu.quality.chaos) said first, so nobody chases a real defect."""
    return [{"id": f"DIRUSAK DENGAN SENGAJA untuk demo pemeriksaan mutu: {c['what']}",
             "en": f"corrupted on purpose to demonstrate the quality gate ({c['rule']})"}
            for c in gate.get("corrupted_on_purpose") or []]


def region_status(run_id: str, region_code: str, store: ObjectStore, settings: Settings) -> dict:
    gate = read_gate(run_id, region_code, settings)
    latest = read_latest(store, region_code)
    manifest = json.loads(store.get_bytes(latest["manifest_key"])) if latest else None
    if gate is not None and not gate["has_data"]:
        status, reasons = "no_data", [{"id": "tidak ada data untuk daerah ini", "en": "no data for this region"}]
    elif gate is not None and not gate["passed"]:
        status, reasons = "held", [*_on_purpose(gate), *gate["errors"]]
    elif latest and latest["run_id"] == run_id:
        status, reasons = "published", []
    elif gate is not None:
        status, reasons = "pending", [{"id": "lolos pemeriksaan, belum diterbitkan", "en": "passed, not yet published"}]
    elif latest:
        status, reasons = "published", [{"id": f"tidak diperiksa di run {run_id}; rilis terakhir tetap berlaku",
                                         "en": f"not checked in run {run_id}; the last release stays current"}]
    else:
        status, reasons = "no_data", [{"id": "belum ada data", "en": "no data yet"}]
    return {"gate": gate, "latest": latest, "manifest": manifest, "status": status, "reasons": reasons,
            "warnings": gate["warnings"] if gate else []}


STATUS_LABELS = {"published": "diterbitkan", "held": "ditahan", "no_data": "tidak ada data",
                 "pending": "menunggu terbit"}


def build_portal(run_id: str, settings: Settings) -> str:
    """Write portal/index.html and portal/<region_code>.html; returns the index path (local) or URL (S3)."""
    config = PublishConfig.from_env()
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    link = _linker(store, config.link_expires)
    scores = _readiness_scores(run_id, settings)
    regions = []
    for region in reference.pilot_regions(settings.pilot_regions_file):
        info = region_status(run_id, region.code, store, settings)
        manifest = info["manifest"]
        score = scores.get(region.code)
        if score is None and manifest:
            score = manifest.get("readiness", {}).get("readiness_score")
        files = []
        if manifest:
            prefix = info["latest"]["manifest_key"].rsplit("/", 1)[0]
            if prefix != release_prefix(region.code, info["latest"]["run_id"]):
                # Never issue a link outside the region's own prefix, whatever a pointer says.
                raise ValueError(f"latest.json of {region.code} points outside releases/{region.code}/: {prefix}")
            files = [{"path": f["path"], "size": f["size"], "rows": f.get("rows"), "pages": f.get("pages"),
                      "href": link(f"{prefix}/{f['path']}")} for f in manifest["files"]]
            files.append({"path": "manifest.json", "size": None, "rows": None, "pages": None,
                          "href": link(info["latest"]["manifest_key"])})
        entry = {"region": region, "score": score, "status": info["status"], "reasons": info["reasons"],
                 "warnings": info["warnings"], "latest": info["latest"], "files": files,
                 "status_label": STATUS_LABELS[info["status"]]}
        regions.append(entry)
        page = render_template("portal_region.html.j2", r=entry, run_id=run_id)
        store.put_bytes(f"portal/{region.code}.html", page.encode())
    for entry in regions:
        entry["page"] = f"{entry['region'].code}.html"  # relative and unsigned: see the module docstring
    counts = {s: sum(e["status"] == s for e in regions) for s in STATUS_LABELS}
    index = render_template("portal_index.html.j2", regions=regions, run_id=run_id, counts=counts,
                            labels=STATUS_LABELS, private_pages=not isinstance(store, LocalObjectStore))
    store.put_bytes("portal/index.html", index.encode())
    if isinstance(store, LocalObjectStore):
        return str(Path(store.root) / "portal" / "index.html")
    return store.link("portal/index.html", config.link_expires)

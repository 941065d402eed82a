"""Inbox scan and landing: copy each delivered file, unchanged, into the object store.

Key layout: landing/<source>/<region_code>/<period>/<sha256>/<original file name> + manifest.json.
The sha256 in the key makes landing idempotent: the same bytes delivered again find their manifest
and come back as `duplicate` (not loaded twice). A file whose name does not parse cannot be keyed by
region and period; it is kept as evidence under landing/<source>/_unrecognised/<sha256>/ and rejected.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from terpadu.settings import Settings
from terpadu.sources.contracts import CONTRACT_VERSION, SOURCES
from terpadu.sources.readers import DeliveryRejected, parse_file_name
from terpadu.storage import open_store, sha256_file

# Names an inbox may hold that are not deliveries: partial uploads, Excel lock files, dotfiles.
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")


def _source(source: str):
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}")
    return SOURCES[source]


def scan_inbox(source: str, settings: Settings, inbox: Path | None = None) -> list[str]:
    """Files waiting in inbox/<source>/ (flat), in name order."""
    _source(source)
    folder = Path(inbox) if inbox else settings.inbox_dir / source
    if not folder.is_dir():
        return []
    return [
        str(path) for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith((".", "~$")) and not path.name.endswith(_IGNORED_SUFFIXES)
    ]


def _iso(ts: float) -> str:
    """UTC, without offset (the warehouse stores naive UTC timestamps)."""
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def delivery_id(source: str, region_digits: str, period: str, sha256: str) -> str:
    return f"{source}-{region_digits}-{period}-{sha256[:16]}"


def land_delivery(source: str, path: str | Path, settings: Settings) -> dict:
    """Copy one inbox file to the landing zone; returns its manifest (JSON-serialisable).

    outcome: `landed` (new bytes), `duplicate` (these bytes were landed before; `duplicate_of` names
    the delivery) or `rejected` (the file name does not follow the contract)."""
    contract = _source(source)
    path = Path(path)
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    sha = sha256_file(path)
    stat = path.stat()
    manifest = {
        "source": source,
        "original_file": path.name,
        "inbox_path": str(path),
        "size_bytes": stat.st_size,
        "sha256": sha,
        "row_count": None,
        "received_at": _iso(stat.st_mtime),
        "landed_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "contract_version": CONTRACT_VERSION,
        "message": "",
    }
    try:
        name = parse_file_name(contract, path.name)
    except DeliveryRejected as error:
        prefix = f"landing/{source}/_unrecognised/{sha}"
        manifest.update(delivery_id=f"{source}-unrecognised-{sha[:16]}", region_code=None, period=None,
                        entities=[], outcome="rejected", message=str(error),
                        landing_key=f"{prefix}/{path.name}", manifest_key=f"{prefix}/manifest.json")
        if not store.exists(manifest["manifest_key"]):
            store.put_file(manifest["landing_key"], path)
            store.put_bytes(manifest["manifest_key"], json.dumps(manifest, indent=2).encode())
        return manifest
    prefix = f"landing/{source}/{name.region_code}/{name.period}/{sha}"
    manifest_key = f"{prefix}/manifest.json"
    if store.exists(manifest_key):
        landed = json.loads(store.get_bytes(manifest_key))
        return {**landed, "outcome": "duplicate", "duplicate_of": landed["delivery_id"],
                "duplicate_file": path.name, "inbox_path": str(path), "received_at": manifest["received_at"],
                "first_received_at": landed["received_at"]}
    manifest.update(
        delivery_id=delivery_id(source, name.region_digits, name.period, sha),
        region_code=name.region_code, period=name.period, entities=list(name.entities),
        outcome="landed", landing_key=f"{prefix}/{path.name}", manifest_key=manifest_key,
    )
    # The file first, the manifest last: a manifest is the marker that the landing is complete.
    store.put_file(manifest["landing_key"], path)
    store.put_bytes(manifest_key, json.dumps(manifest, indent=2).encode())
    return manifest


def update_manifest(manifest: dict, settings: Settings, **changes) -> None:
    """Record the load outcome and row count in the landed manifest."""
    store = open_store(settings.object_store_url, settings.s3_endpoint_url)
    key = manifest["manifest_key"]
    current = json.loads(store.get_bytes(key)) if store.exists(key) else dict(manifest)
    current.update(changes)
    store.put_bytes(key, json.dumps(current, indent=2).encode())

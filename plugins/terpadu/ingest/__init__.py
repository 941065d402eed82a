"""Ingest stage: inbox → landing zone (object store) → raw.* in the warehouse.

    scan_inbox(source, settings) -> list[str]
    land_delivery(source, path, settings) -> dict          # manifest; outcome landed|duplicate|rejected
    load_deliveries(source, landed, settings) -> list[dict]  # writer; outcome accepted|rejected|duplicate
    ingest_source(source, settings, progress=print) -> list[dict]
    pull_dukcapil(region_code, settings, *, base_url, token, ...) -> dict  # web service → inbox DKB file
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from terpadu.ingest.dukcapil_pull import PullError, pull_dukcapil
from terpadu.ingest.landing import land_delivery, scan_inbox
from terpadu.ingest.loading import RowAccountingError, load_deliveries
from terpadu.settings import Settings


def ingest_source(source: str, settings: Settings, progress: Callable[[str], None] | None = print,
                  inbox: Path | None = None) -> list[dict]:
    """scan → land → load for one source; returns one result dict per delivered file."""
    paths = scan_inbox(source, settings, inbox=inbox)
    if progress:
        progress(f"{source}: {len(paths)} file(s) in the inbox")
    landed = [land_delivery(source, path, settings) for path in paths]
    return load_deliveries(source, landed, settings)


__all__ = ["PullError", "RowAccountingError", "ingest_source", "land_delivery", "load_deliveries", "pull_dukcapil",
           "scan_inbox"]

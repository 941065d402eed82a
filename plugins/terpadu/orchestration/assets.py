"""The Assets that connect the DAGs (data-aware scheduling).

Each source's landing emits its raw Asset; integration is scheduled on any of them; the gate on the
marts; publishing on the gate. The `extra` of an event carries the run id downstream.
"""

from __future__ import annotations

from airflow.sdk import Asset

from terpadu.sources.contracts import SOURCES

RAW = {name: Asset(f"terpadu://warehouse/raw/{name}", group="terpadu") for name in SOURCES}
MARTS = Asset("terpadu://warehouse/marts", group="terpadu")
GATE = Asset("terpadu://runs/gate", group="terpadu")
RELEASES = Asset("terpadu://objectstore/releases", group="terpadu")

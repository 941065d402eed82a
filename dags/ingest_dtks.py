"""
### ingest_dtks
Kemensos DTKS exports from SIKS-NG (CSV, `;`, UTF-8 or Windows-1252), one file per kab/kota and period.

Airflow scans `state/inbox/dtks/` every 15 minutes, lands each new file unchanged in the object store, loads it
into `raw.*` (one transaction per delivery, through the one-slot writer pool) and emits the Asset
`terpadu://warehouse/raw/dtks` that schedules **integrate**. Contract: `docs/contracts/dtks.md`.
"""

from terpadu.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag("dtks", doc_md=__doc__)

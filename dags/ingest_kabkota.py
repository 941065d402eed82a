"""
### ingest_kabkota
Dinas Sosial workbooks (Excel: USULAN, SANGGAHAN, GROUND_CHECK), one per kab/kota and period.

Airflow scans `state/inbox/kabkota/` every 15 minutes, lands each new file unchanged in the object store, loads it
into `raw.*` (one transaction per delivery, through the one-slot writer pool) and emits the Asset
`terpadu://warehouse/raw/kabkota` that schedules **integrate**. Contract: `docs/contracts/kabkota.md`.
"""

from terpadu.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag("kabkota", doc_md=__doc__)

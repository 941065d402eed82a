"""
### ingest_regsosek
BPS Regsosek deliveries (Parquet: keluarga + individu), one pair per kab/kota and period.

Airflow scans `state/inbox/regsosek/` every 15 minutes, lands each new file unchanged in the object store, loads it
into `raw.*` (one transaction per delivery, through the one-slot writer pool) and emits the Asset
`terpadu://warehouse/raw/regsosek` that schedules **integrate**. Contract: `docs/contracts/regsosek.md`.
"""

from terpadu.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag("regsosek", doc_md=__doc__)

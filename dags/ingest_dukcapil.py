"""
### ingest_dukcapil
Dukcapil consolidated population file (DKB, CSV), one file per kab/kota and period.

Airflow scans `state/inbox/dukcapil/` every 15 minutes, lands each new file unchanged in the object store, loads it
into `raw.*` (one transaction per delivery, through the one-slot writer pool) and emits the Asset
`terpadu://warehouse/raw/dukcapil` that schedules **integrate**. Contract: `docs/contracts/dukcapil.md`.
"""

from terpadu.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag("dukcapil", doc_md=__doc__)

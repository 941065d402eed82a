"""
### ingest_dukcapil
Dukcapil consolidated population file (DKB, CSV), one file per kab/kota and period — dropped in the inbox, or
pulled from the Dukcapil web service — and Dukcapil's answer to the national NIK matching
(`PADAN_<kab>_<period>.csv`: for each NIK the region submitted, PADAN with the holder's current domicile and
life status, or TIDAK PADAN), dropped in the same inbox.

**Pull** (when the Airflow connection `terpadu_dukcapil` exists: host/port/schema → base URL, password → bearer
token; optional extras `page_size`, `max_rps`, `refresh_hours` (default 24)): `pull` is mapped per pilot
kab/kota and writes `state/inbox/dukcapil/DKB_<kab>_<period>.csv` page by page, with retries (backoff + jitter),
`Retry-After` on 429 and a checkpoint per page in `state/pull/dukcapil/<region>/<period>/`, so a task retry
resumes where the last attempt stopped. Without the connection, `pull_regions` logs "file drop mode" and `pull`
has no instances.

**Scan** then runs either way: Airflow scans `state/inbox/dukcapil/` every 15 minutes, lands each new file
unchanged in the object store (an unchanged pull is a `duplicate`, a changed one supersedes), loads it into
`raw.*` (one transaction per delivery, through the one-slot writer pool) and emits the Asset
`terpadu://warehouse/raw/dukcapil` that schedules **integrate**. Contract: `docs/contracts/dukcapil.md`.
"""

from terpadu.ingest.dukcapil_pull import airflow_pull, airflow_pull_regions
from terpadu.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag("dukcapil", doc_md=__doc__, pull=airflow_pull, pull_regions=airflow_pull_regions)

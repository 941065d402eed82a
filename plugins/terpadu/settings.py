"""Where things live and which services to use, resolved once from the environment.

Every path defaults to a folder inside the project (`state/`), so a fresh clone runs with no
configuration. Production points the same names at real storage through environment variables
(or Airflow connections, read by the stage that needs them).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR / "reference" / "data"


def _project_root() -> Path:
    """The checkout that holds dags/, dbt_project/ and expectations/ (plugins/terpadu/../..)."""
    if env := os.environ.get("TERPADU_HOME"):
        return Path(env).resolve()
    return PACKAGE_DIR.parent.parent


@dataclass(frozen=True)
class Settings:
    project_root: Path
    state_dir: Path
    period: str
    object_store_url: str
    s3_endpoint_url: str | None
    pilot_regions_file: Path

    @classmethod
    def from_env(cls) -> Settings:
        root = _project_root()
        state = Path(os.environ.get("TERPADU_STATE_DIR", root / "state")).resolve()
        return cls(
            project_root=root,
            state_dir=state,
            period=os.environ.get("TERPADU_PERIOD", "202610"),
            # file:///path (default, a local folder standing in for the bucket) or s3://bucket/prefix
            object_store_url=os.environ.get("TERPADU_OBJECT_STORE", (state / "objectstore").as_uri()),
            s3_endpoint_url=os.environ.get("TERPADU_S3_ENDPOINT_URL") or None,
            pilot_regions_file=Path(
                os.environ.get("TERPADU_PILOT_REGIONS", REFERENCE_DIR / "pilot_regions.csv")
            ),
        )

    # --- folders under the state dir -------------------------------------------------------------
    @property
    def inbox_dir(self) -> Path:
        """Where agencies' deliveries arrive (the file drop the ingest DAGs scan)."""
        return Path(os.environ.get("TERPADU_INBOX_DIR", self.state_dir / "inbox"))

    @property
    def ground_truth_dir(self) -> Path:
        """The simulator's answer key. Never read by the pipeline, only by `terpadu evaluate`."""
        return self.state_dir / "ground_truth"

    @property
    def warehouse_path(self) -> Path:
        return Path(os.environ.get("TERPADU_WAREHOUSE", self.state_dir / "warehouse" / "terpadu.duckdb"))

    @property
    def duckdb_memory_limit(self) -> str | None:
        """TERPADU_DUCKDB_MEMORY_LIMIT ('6GB', '4GiB'): the most memory one DuckDB connection of the
        pipeline may use before spilling to disk (DuckDB's own default: 80 % of RAM)."""
        return os.environ.get("TERPADU_DUCKDB_MEMORY_LIMIT", "").strip() or None

    @property
    def exports_dir(self) -> Path:
        """Per-run Parquet exports of the marts, read by the gate and the publisher (never the .duckdb)."""
        return self.state_dir / "exports"

    @property
    def airflow_home(self) -> Path:
        """AIRFLOW_HOME of the project's own Airflow (SQLite metadata, logs)."""
        return Path(os.environ.get("TERPADU_AIRFLOW_HOME", self.state_dir / "airflow"))

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_root / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.project_root / "expectations"

    @property
    def dags_dir(self) -> Path:
        return self.project_root / "dags"

    # --- secrets and provenance -------------------------------------------------------------------
    @cached_property
    def nik_hash_key(self) -> str:
        """Key for the keyed NIK hash in analyst marts (UU PDP). Never in the repository.

        Production sets TERPADU_NIK_HASH_KEY from a secret store; a local run generates one key per
        state folder so that pseudonyms stay stable across runs of the same installation.
        """
        if key := os.environ.get("TERPADU_NIK_HASH_KEY"):
            return key
        key_file = self.state_dir / "secrets" / "nik_hash_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    @cached_property
    def code_version(self) -> str:
        """The git commit the run was built from (with -dirty when the tree has local changes)."""
        if env := os.environ.get("TERPADU_CODE_VERSION"):
            return env
        try:
            out = subprocess.run(
                ["git", "-C", str(self.project_root), "describe", "--always", "--dirty", "--abbrev=12"],
                capture_output=True, text=True, check=True, timeout=10,
            )
            return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"


def get_settings() -> Settings:
    return Settings.from_env()

"""Test-wide setup.

Airflow reads its configuration once per process, so every test shares one throw-away Airflow home
(SQLite metadata) created here before anything imports airflow. Each test that needs its own
warehouse, inbox or object store points TERPADU_STATE_DIR at its tmp_path (see `state_dir`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="terpadu-tests-"))
os.environ["TERPADU_AIRFLOW_HOME"] = str(_SESSION_DIR / "airflow")
os.environ.setdefault("TERPADU_STATE_DIR", str(_SESSION_DIR / "state"))
# A fixed key keeps pseudonyms reproducible inside the test session; production sets its own.
os.environ.setdefault("TERPADU_NIK_HASH_KEY", "test-only-key-not-a-secret")

from terpadu.orchestration import airflow_env  # noqa: E402
from terpadu.settings import get_settings  # noqa: E402

airflow_env.configure(get_settings(), quiet=True)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh state folder (inbox, warehouse, object store, runs) for one test."""
    state = tmp_path / "state"
    monkeypatch.setenv("TERPADU_STATE_DIR", str(state))
    monkeypatch.delenv("TERPADU_OBJECT_STORE", raising=False)
    monkeypatch.delenv("TERPADU_S3_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("TERPADU_WAREHOUSE", raising=False)
    monkeypatch.delenv("TERPADU_INBOX_DIR", raising=False)
    return state

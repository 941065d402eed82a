"""The project's own Airflow installation: SQLite metadata and logs under state/airflow.

Airflow reads its configuration when first imported, so `configure()` must run before anything
imports `airflow`. The CLI does that; tests do it in a fixture.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from terpadu.settings import Settings
from terpadu.warehouse import WRITER_POOL

DEFAULT_API_PORT = 8080


def airflow_environ(settings: Settings, api_port: int = DEFAULT_API_PORT) -> dict[str, str]:
    """Environment variables that point Airflow at this project."""
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.project_root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        # Tasks report to the execution API; it must match the api-server's host and port.
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        # The project's state folder travels with the tasks (they run in child processes).
        "TERPADU_HOME": str(settings.project_root),
        "TERPADU_STATE_DIR": str(settings.state_dir),
    }


def configure(settings: Settings, api_port: int = DEFAULT_API_PORT, quiet: bool = False) -> None:
    """Point this process's Airflow at the project (call before importing airflow)."""
    if "airflow.configuration" in sys.modules and os.environ.get("AIRFLOW_HOME"):
        current = os.environ.get("AIRFLOW_HOME")
        if current != str(settings.airflow_home):
            raise RuntimeError(
                f"airflow was imported before terpadu configured it (AIRFLOW_HOME={current}); "
                "run through the terpadu CLI"
            )
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    env = airflow_environ(settings, api_port)
    if quiet:
        env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    os.environ.update(env)


def airflow_bin() -> Path:
    """The `airflow` executable of this environment (next to the running Python)."""
    return Path(sys.executable).with_name("airflow")


def ensure_metadata(settings: Settings) -> None:
    """Create or upgrade the SQLite metadata DB and the one-slot warehouse writer pool."""
    env = {**os.environ, **airflow_environ(settings), "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}
    marker = settings.airflow_home / ".migrated"
    if not marker.exists():
        _run([str(airflow_bin()), "db", "migrate"], env, "airflow db migrate")
        marker.write_text("ok")
    _run(
        [str(airflow_bin()), "pools", "set", WRITER_POOL, "1",
         "Exactly one task writes the DuckDB warehouse at a time (DuckDB allows one writer process)."],
        env, "airflow pools set",
    )


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{what} failed (exit {result.returncode}):\n{tail}")

"""docker-compose.yml cannot be started here (no Docker engine), so it must be right by
construction: these tests check that it agrees with the project's pins, folders and settings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from terpadu.warehouse import WRITER_POOL

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_COMPONENTS = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def airflow_pin() -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(d.split("==")[1] for d in deps if d.startswith("apache-airflow=="))


def airflow_services(compose: dict) -> dict[str, dict]:
    return {name: svc for name, svc in compose["services"].items() if name.startswith("airflow-")}


def test_the_stack_has_every_airflow_component_postgres_and_minio(compose):
    services = set(compose["services"])
    assert AIRFLOW_COMPONENTS <= services
    assert {"postgres", "minio"} <= services
    commands = {airflow_services(compose)[name]["command"] for name in AIRFLOW_COMPONENTS}
    assert commands == {"api-server", "scheduler", "dag-processor", "triggerer"}


def test_image_matches_the_pinned_airflow_and_python(compose, airflow_pin):
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM apache/airflow:(\S+)-python(\S+)$", dockerfile, re.M)
    assert base, "Dockerfile must build FROM apache/airflow:<version>-python<version>"
    assert base.group(1) == airflow_pin
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f">={base.group(2)}" in requires
    for name, svc in airflow_services(compose).items():
        assert svc["image"].endswith(f":{airflow_pin}"), name
        assert svc.get("build") == ".", f"{name} must run the project's image"
    assert "uv.lock" in dockerfile and "--frozen" in dockerfile, "the image installs exactly the lock file"


def test_mounts_exist_and_match_the_folders_airflow_and_terpadu_read(compose):
    for name, svc in airflow_services(compose).items():
        env = svc["environment"]
        home = env["TERPADU_HOME"]
        mounts = dict(volume.split(":", 1) for volume in svc["volumes"])
        bind_targets = {target: source for source, target in mounts.items() if source.startswith("./")}
        for source in bind_targets.values():
            assert (ROOT / source).is_dir(), f"{name} mounts {source}, which is not in the repository"
        # Airflow's folders and the project layout Settings expects under TERPADU_HOME
        assert bind_targets[env["AIRFLOW__CORE__DAGS_FOLDER"]] == "./dags"
        assert bind_targets[env["AIRFLOW__CORE__PLUGINS_FOLDER"]] == "./plugins"
        assert bind_targets[f"{home}/dbt_project"] == "./dbt_project"
        assert bind_targets[f"{home}/expectations"] == "./expectations"
        assert env["TERPADU_STATE_DIR"] in mounts.values(), "the warehouse and runs live on a volume"


def test_airflow_points_at_postgres_and_its_own_execution_api(compose):
    postgres = compose["services"]["postgres"]["environment"]
    for name, svc in airflow_services(compose).items():
        env = svc["environment"]
        db = urlparse(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert db.scheme.startswith("postgresql")
        assert db.hostname == "postgres" and db.path == f"/{postgres['POSTGRES_DB']}"
        assert db.username == postgres["POSTGRES_USER"]
        api = urlparse(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert api.hostname in compose["services"], f"{name}: execution API host is not a service"
        assert str(api.port) == env["AIRFLOW__API__PORT"]
        assert api.path == "/execution/"
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    api_ports = compose["services"]["airflow-apiserver"]["ports"]
    assert any(p.endswith(":8080") for p in api_ports)


def test_object_store_is_the_minio_bucket_that_init_creates(compose):
    init = compose["services"]["minio-init"]["entrypoint"]
    for svc in airflow_services(compose).values():
        env = svc["environment"]
        store = urlparse(env["TERPADU_OBJECT_STORE"])
        assert store.scheme == "s3"
        assert f"mb --ignore-existing local/{store.netloc}" in init
        assert urlparse(env["TERPADU_S3_ENDPOINT_URL"]).hostname == "minio"


def test_every_terpadu_variable_is_one_the_code_reads(compose):
    code = "\n".join(p.read_text() for p in (ROOT / "plugins" / "terpadu").rglob("*.py"))
    for svc in airflow_services(compose).values():
        for var in svc["environment"]:
            if var.startswith("TERPADU_"):
                assert f'"{var}"' in code, f"{var} is set in docker-compose.yml but never read"


def test_long_running_services_have_health_checks_and_start_in_order(compose):
    services = compose["services"]
    for name in AIRFLOW_COMPONENTS | {"postgres", "minio"}:
        assert "healthcheck" in services[name], f"{name} has no health check"
    for name in AIRFLOW_COMPONENTS:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["minio"]["condition"] == "service_healthy"
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"


def test_init_creates_the_single_writer_pool(compose):
    command = compose["services"]["airflow-init"]["command"]
    assert "airflow db migrate" in command
    assert f"airflow pools set {WRITER_POOL} 1 " in command

"""docker-compose.yml parses (Debian's docker-compose, no engine needed) with the
settings documented in .env.example, and has the services the deployment promises."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from monev.config import PROJECT_ROOT

COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose not installed")

SERVICES = {
    "postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
    "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "superset",
    "mailpit", "reports-site",
}


def _config(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMPOSE, "-f", "docker-compose.yml", "--env-file", ".env.example", "config", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )


def test_compose_validates_with_env_example() -> None:
    result = _config("-q")
    assert result.returncode == 0, result.stderr


def test_compose_services_and_scaling() -> None:
    import yaml

    result = _config()
    assert result.returncode == 0, result.stderr
    cfg = yaml.safe_load(result.stdout)
    assert set(cfg["services"]) == SERVICES
    worker = cfg["services"]["airflow-worker"]
    # `--scale airflow-worker=N` needs no fixed name and no host port
    assert "container_name" not in worker and not worker.get("ports")
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler",
                 "airflow-worker", "superset", "mailpit"):
        assert "healthcheck" in cfg["services"][name], name
    env = cfg["services"]["airflow-scheduler"]["environment"]
    assert "/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["WAREHOUSE_URL"].endswith("/monev")  # metadata and warehouse apart
    volumes = " ".join(str(v) for v in cfg["services"]["airflow-worker"]["volumes"])
    assert "/opt/airflow/landing" in volumes and "/opt/airflow/reports" in volumes


def test_init_runs_the_project_set_up() -> None:
    """airflow-init sets up through the same `prepare()` as `monev run` (`monev airflow
    --init`) and makes the BI login with the project's access command, no script of its
    own."""
    import yaml

    result = _config()
    assert result.returncode == 0, result.stderr
    script = " ".join(yaml.safe_load(result.stdout)["services"]["airflow-init"]["command"])
    assert "monev airflow --init" in script
    assert "monev access grant-national" in script
    assert "python " not in script

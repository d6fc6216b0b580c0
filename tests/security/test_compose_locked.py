"""The compose stack is locked by default, checked with `docker-compose config` (no
engine needed): every published port on 127.0.0.1 unless MONEV_PUBLISH_ADDR says
otherwise; no start without a Fernet key or a JWT secret; the auth manager's variables
under their AIRFLOW__CORE__ names on every Airflow container, all-admins off; the reports
site is `monev reports serve` (a login, and no data snapshot: `*_data/`, where
nik_ganda.parquet lives). tests/compose checks the same on the running stack."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from monev.config import PROJECT_ROOT

COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose not installed")

REQUIRED = ("AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET")


def _config(env_file: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in REQUIRED and k != "MONEV_PUBLISH_ADDR"}
    return subprocess.run(
        [COMPOSE, "-f", "docker-compose.yml", "--env-file", str(env_file), "config"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, env={**clean, **env})


def _services(**env: str) -> dict:
    result = _config(PROJECT_ROOT / ".env.example", **env)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def _bindings(services: dict) -> dict[str, list[str]]:
    """Service → the host address of each published port ('' = every interface)."""
    out: dict[str, list[str]] = {}
    for name, svc in services.items():
        for port in svc.get("ports") or []:
            if isinstance(port, dict):
                addr = port.get("host_ip", "")
            else:
                parts = str(port).rsplit(":", 2)
                addr = parts[0] if len(parts) == 3 else ""
            out.setdefault(name, []).append(addr)
    return out


def test_every_published_port_is_on_loopback_by_default() -> None:
    bindings = _bindings(_services())
    # the Airflow UI/API, PostgreSQL, the reports site and Superset are published (the mail
    # catcher is not: no UI, its maildir is read inside the stack)
    assert {"airflow-apiserver", "postgres", "reports-site", "superset"} <= set(bindings)
    assert "mail" not in bindings
    assert {k: v for k, v in bindings.items() if set(v) != {"127.0.0.1"}} == {}


def test_one_documented_switch_publishes_them() -> None:
    bindings = _bindings(_services(MONEV_PUBLISH_ADDR="0.0.0.0"))
    assert all(set(v) == {"0.0.0.0"} for v in bindings.values()), bindings
    assert "MONEV_PUBLISH_ADDR" in (PROJECT_ROOT / ".env.example").read_text()


@pytest.mark.parametrize("name", REQUIRED)
def test_no_stack_without_its_secrets(name: str, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(
        line for line in (PROJECT_ROOT / ".env.example").read_text().splitlines(keepends=True)
        if not line.startswith(f"{name}=")))
    result = _config(env_file)
    assert result.returncode != 0
    assert name in result.stderr


def test_the_auth_variables_take_effect_on_every_airflow_container() -> None:
    services = _services()
    airflow = {k: v for k, v in services.items() if k.startswith("airflow-")}
    assert "airflow-apiserver" in airflow
    for name, svc in airflow.items():
        env = svc["environment"]
        # inert without the AIRFLOW__CORE__ prefix: none may be left unprefixed
        assert not [k for k in env if k.startswith("SIMPLE_AUTH_MANAGER")], name
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"].lower() == "false", name
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].endswith(":admin"), name
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(
            "/opt/airflow/monev_state/"), name  # the state volume, not the image
        assert env["AIRFLOW__CORE__FERNET_KEY"], name


def test_the_reports_site_asks_for_a_login_and_serves_no_data_snapshot(tmp_path: Path) -> None:
    """It had no login (nginx, every province's reports to whoever reached it): it is
    `monev reports serve`, whose login and refusals are the local site's."""
    from monev.reports.serve import servable

    site = _services()["reports-site"]
    assert site["entrypoint"][2:5] == ["monev", "reports", "serve"]
    assert str(site["user"]).split(":")[0] not in ("", "0")
    snapshot = tmp_path / "2025-03" / "monev_prov62_2025-03_data" / "nik_ganda.parquet"
    snapshot.parent.mkdir(parents=True)
    snapshot.write_bytes(b"PAR1")
    assert servable(tmp_path, "/2025-03/monev_prov62_2025-03_data/nik_ganda.parquet") is None

"""Airflow for the DAG tests: one metadata database per session on the test server (a
clone of the session's migrated template), configured before anything imports airflow;
each test then points the DAGs at its own warehouse database and landing folder through
the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from monev.config import reset_settings


@pytest.fixture(scope="session")
def airflow_env(server_url: str, airflow_metadata_template: str,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    from airflow_service import cloned_metadata

    home = tmp_path_factory.mktemp("airflow_home")
    saved = dict(os.environ)
    with cloned_metadata(server_url, airflow_metadata_template) as meta:
        os.environ["AIRFLOW_HOME"] = str(home)
        os.environ["MONEV_RETRY_DELAY_SECONDS"] = "1"
        from monev.localrun import airflow_home
        from monev.orchestration import pools

        airflow_home.configure(meta)
        seconds = airflow_home.migrate_metadata(force=True)  # nothing left to migrate
        pools.ensure_pools()
        yield {"metadata_db": make_url(meta).database, "migrate_seconds": seconds}
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def dagbag(airflow_env: dict) -> dict:
    from monev.localrun.runner import load_dags
    from monev.orchestration.dbt_group import ensure_manifest

    # the set-up step's job (make setup); repeated here so the suite stands on its own
    ensure_manifest()
    return load_dags()


@pytest.fixture
def landing(warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty local landing folder for this test, with the test's warehouse."""
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("MONEV_LANDING_URL", str(folder))
    monkeypatch.setenv("MONEV_REPORTS_DIR", str(tmp_path / "reports"))
    # the DAGs' dbt tasks reach the same database as the rest of the test
    reset_settings()
    from monev.localrun import airflow_home

    monkeypatch.setenv("AIRFLOW_CONN_MONEV_WAREHOUSE", airflow_home.warehouse_conn_uri())
    return folder

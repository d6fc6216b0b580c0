"""Fixtures shared by every test layer.

Tests run against a real PostgreSQL: the project's embedded cluster (started once per
session), or the server in WAREHOUSE_URL if set. Each test that asks for `warehouse`
gets its own database cloned from a migrated template, so tests never see each other's
data, and every package call inside the test points at it through WAREHOUSE_URL. What is
expensive to make is made once per session and cloned the same way: Airflow's migrated
metadata database (`airflow_metadata_template`), and small generated months through the
real ingest and dbt build (`built_months_template`, for tests that only read the marts).

The tiers (markers in pyproject.toml; `make check` leaves out `service` and `landing`):
a test is `service` when it asks for `airflow_metadata` (only a test that starts
`monev airflow` needs a database of its own) or lies under a service folder, and a guard refuses any
service a test starts without the marker (tests/unit/test_tiers.py proves the guard).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from tiers import current_test_is, starts_service
from warehouse_support import SERVER_ADMIN, admin_url_for

from monev.config import reset_settings, settings
from monev.warehouse import cluster, db
from monev.warehouse.migrate import migrate

_EXTERNAL = os.environ.get("WAREHOUSE_URL")
TESTS = Path(__file__).parent
# folders whose every test starts a service or builds from its own landing folder
# (tests/compose: the deployment's compose tier, docker)
FOLDER_MARKS = {"compose": "service", "faults": "landing"}
# a fixture that only a test of that tier asks for
FIXTURE_MARKS = {"airflow_metadata": "service"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        rel = Path(str(item.path)).relative_to(TESTS).parts
        marks = {FOLDER_MARKS.get(rel[0])} | {
            m for f, m in FIXTURE_MARKS.items() if f in getattr(item, "fixturenames", ())}
        for mark in sorted(marks - {None}):
            item.add_marker(mark)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    current_test_is(item.nodeid, service=item.get_closest_marker("service") is not None)
    try:
        return (yield)
    finally:
        current_test_is(None)


def _refuse_unmarked_services(event: str, args: tuple) -> None:
    if event == "subprocess.Popen":
        starts_service(args[1] if args[1] is not None else [args[0]])


sys.addaudithook(_refuse_unmarked_services)


def _url_for(base_url: str, database: str) -> str:
    return make_url(base_url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_url() -> str:
    """URL of a database on the test server with rights to create databases."""
    if _EXTERNAL:
        return _EXTERNAL
    # the test session is set-up: it may create and start the embedded cluster
    c = cluster.up()
    SERVER_ADMIN["url"] = c.admin_url("postgres")
    return c.url


@pytest.fixture(scope="session")
def server_is_embedded() -> bool:
    """True when the tests run on the project's embedded cluster (the default)."""
    return not _EXTERNAL


@pytest.fixture(scope="session")
def embedded_cluster(server_url: str, server_is_embedded: bool) -> cluster.Cluster:
    """The running embedded cluster the tests use (fault tests stop and start it)."""
    if not server_is_embedded:
        pytest.skip("needs the embedded cluster: an external server is not ours to crash")
    with psycopg.connect(server_url) as conn:
        data_dir = Path(conn.execute("SHOW data_directory").fetchone()[0])
        port = int(conn.execute("SHOW port").fetchone()[0])
    return cluster.Cluster(data_dir=data_dir, socket_dir=data_dir.parent / "run",
                           log_file=data_dir.parent / "postgres.log", port=port,
                           bin_dir=cluster.find_bin_dir(settings()))


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    name = f"monev_tmpl_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(_url_for(server_url, name), autocommit=True) as conn:
        migrate(conn)
    yield name
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def airflow_metadata_template(server_url: str, template_db: str,
                              tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Airflow's metadata database as `monev airflow --init` leaves it (migrated, the
    pools made), once per session: each service test runs on a clone of it
    (airflow_service.cloned_metadata) instead of migrating its own."""
    from airflow_service import MONEV, service_env

    name = f"airflow_tmpl_{os.getpid()}"
    wh = f"monev_airflow_init_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        for db_name in (name, wh):
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{wh}" TEMPLATE "{template_db}"')
    root = tmp_path_factory.mktemp("airflow_template")
    env = service_env(_url_for(server_url, wh),
                      make_url(_url_for(server_url, name)).set(drivername="postgresql+psycopg")
                      .render_as_string(hide_password=False), root,
                      AIRFLOW_HOME=str(root / "airflow"))
    init = subprocess.run([MONEV, "airflow", "--init"], env=env, capture_output=True,
                          text=True, timeout=600)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{wh}" WITH (FORCE)')
    assert init.returncode == 0, (init.stdout + init.stderr)[-3000:]
    yield name
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# the session's built months: every source and the region reference, small scale
BUILT_MONTHS = ("2025-01", "2025-03")
BUILT_SEED = 3


@pytest.fixture(scope="session")
def built_months_template(server_url: str, template_db: str,
                          tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A warehouse database holding BUILT_MONTHS generated (seed BUILT_SEED), ingested
    by the real pipeline (gate included) and built by the real `dbt build`, once per
    session; tests that only read what it holds clone it (`built_warehouse`,
    transform_support.module_warehouse) instead of generating, ingesting and building
    their own. The ingest and build are this fixture's own claim: it fails if either
    does."""
    from transform_support import build_ok, ingest, module_env

    from monev.synthetic import generate

    name = f"monev_built_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    state = tmp_path_factory.mktemp("built_months")
    with module_env(_url_for(server_url, name), state / "state"):
        landing = state / "landing"
        generate(landing, *BUILT_MONTHS, scale="small", seed=BUILT_SEED)
        ingest([p for p in sorted(landing.iterdir()) if p.is_file()] + [landing / "referensi"])
        build_ok()
    with psycopg.connect(server_url, autocommit=True) as conn:
        # a template must have no session open on it (a pool left by the build)
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     " WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    yield name
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def built_warehouse(server_url: str, built_months_template: str, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`warehouse`, holding the session's built months (a clone: change it freely)."""
    yield from _clone(server_url, built_months_template, tmp_path, monkeypatch)


@pytest.fixture
def airflow_metadata(server_url: str, airflow_metadata_template: str) -> Iterator[str]:
    """A migrated Airflow metadata database for this test (a clone); its SQLAlchemy URL."""
    from airflow_service import cloned_metadata

    with cloned_metadata(server_url, airflow_metadata_template) as url:
        yield url


@pytest.fixture
def warehouse(
    server_url: str, template_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, migrated warehouse database for this test; returns its URL."""
    yield from _clone(server_url, template_db, tmp_path, monkeypatch)


def _clone(server_url: str, template: str, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"monev_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = _url_for(server_url, name)
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.setenv("WAREHOUSE_ADMIN_URL", admin_url_for(url))
    monkeypatch.setenv("MONEV_STATE_DIR", str(tmp_path / "state"))
    reset_settings()
    db.forget_ready()
    yield url
    reset_settings()
    db.forget_ready()
    _drop_bi_logins(url)
    # as the admin: a superuser session the test just closed may still be ending on the
    # server, and only a superuser may end it (FORCE)
    with psycopg.connect(admin_url_for(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_bi_logins(url: str) -> None:
    """Roles are the cluster's: the BI logins a test granted in its database would
    outlive it, and their connection limits together cap further grants."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('access.pengguna_wilayah')").fetchone()[0] is None:
            return
        logins = [r[0] for r in conn.execute("SELECT rolname FROM access.pengguna_wilayah")]
    with psycopg.connect(admin_url_for(url), autocommit=True) as conn:
        for login in logins:
            conn.execute(f'DROP ROLE IF EXISTS "{login}"')

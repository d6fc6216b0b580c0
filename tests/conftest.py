"""Fixtures shared by every test layer.

Tests run against a real PostgreSQL: the project's embedded cluster (started once per
session), or the server in WAREHOUSE_URL if set. Each test that asks for `warehouse`
gets its own database cloned from a migrated template, so tests never see each other's
data, and every package call inside the test points at it through WAREHOUSE_URL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from warehouse_support import SERVER_ADMIN, admin_url_for

from monev.config import reset_settings, settings
from monev.warehouse import cluster, db
from monev.warehouse.migrate import migrate

_EXTERNAL = os.environ.get("WAREHOUSE_URL")


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


@pytest.fixture
def warehouse(
    server_url: str, template_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, migrated warehouse database for this test; returns its URL."""
    name = f"monev_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
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

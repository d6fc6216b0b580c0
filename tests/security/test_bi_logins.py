"""What a BI login can take of the warehouse server (issue 29, Medium #8 and Low).

One provincial login must not lock the pipeline out: it is stopped at its connection
limit while the application's login still connects, its long query is cancelled, its
temporary files are capped (and it cannot lift that cap), and all BI logins together
cannot be granted more than leaves the project's reserve. A revoked login cannot log
in; a BI login reaches the warehouse database and no other database of the cluster.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url
from warehouse_support import admin_url_for

from monev.config import settings
from monev.transform import access
from monev.warehouse import cluster

PASSWORD = "limits-test-pw"  # test-only


def _as(url: str, user: str, database: str | None = None) -> psycopg.Connection:
    u = make_url(url).difference_update_query(["passfile"]).set(username=user,
                                                                password=PASSWORD)
    if database:
        u = u.set(database=database)
    return psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture
def bi_login(warehouse: str) -> Iterator[str]:
    user = f"bi_{uuid.uuid4().hex[:8]}"
    yield user
    with psycopg.connect(admin_url_for(warehouse), autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                     " where usename = %s", (user,))
        conn.execute(f'drop role if exists "{user}"')


def test_a_bi_login_stops_at_its_connection_limit_and_the_app_still_connects(
        warehouse: str, bi_login: str) -> None:
    access.grant(bi_login, "62", PASSWORD)
    limit = settings().bi_limits.connection_limit
    held: list[psycopg.Connection] = []
    refused = None
    try:
        for _ in range(limit + 5):
            try:
                held.append(_as(warehouse, bi_login))
            except psycopg.OperationalError as e:
                refused = str(e)
                break
        assert len(held) == limit, f"{len(held)} connections, limit {limit}"
        assert refused is not None and "too many connections for role" in refused, refused
        with psycopg.connect(warehouse) as app:
            assert app.execute("select current_user").fetchone()[0] == cluster.APP_ROLE
    finally:
        for conn in held:
            conn.close()


def test_a_long_bi_query_is_cancelled_and_temp_files_are_capped(
        warehouse: str, bi_login: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_BI_STATEMENT_TIMEOUT", "1s")
    monkeypatch.setenv("MONEV_BI_TEMP_FILE_LIMIT", "1MB")
    access.grant(bi_login, "62", PASSWORD)
    with _as(warehouse, bi_login) as conn:
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            conn.execute("select pg_sleep(60)")
        # a sort of 2 M integers in 64 kB of memory spills far more than 1 MB (the
        # timeout lifted for it, as a login may: the cap must hold on its own)
        conn.execute("set statement_timeout = 0")
        conn.execute("set work_mem = '64kB'")
        with pytest.raises(psycopg.errors.ConfigurationLimitExceeded,
                           match="temp_file_limit"):
            conn.execute("select count(*) from (select g from generate_series(1, 2000000) g"
                         " order by g desc offset 1) s")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("set temp_file_limit = -1")


def test_bi_logins_together_leave_the_projects_reserve(
        warehouse: str, bi_login: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with psycopg.connect(warehouse) as conn:
        max_connections = int(conn.execute("show max_connections").fetchone()[0])
    monkeypatch.setenv("MONEV_PG_APP_RESERVED_CONNECTIONS", str(max_connections))
    with pytest.raises(ValueError, match="MONEV_PG_APP_RESERVED_CONNECTIONS"):
        access.grant(bi_login, "62", PASSWORD)
    with psycopg.connect(admin_url_for(warehouse)) as conn:
        assert conn.execute("select 1 from pg_roles where rolname = %s",
                            (bi_login,)).fetchone() is None
    assert bi_login not in {u.rolname for u in access.users()}


def test_a_revoked_login_cannot_log_in(warehouse: str, bi_login: str) -> None:
    access.grant(bi_login, "62", PASSWORD)
    held = _as(warehouse, bi_login)
    access.revoke(bi_login)
    with psycopg.connect(admin_url_for(warehouse)) as conn:
        assert conn.execute("select rolcanlogin, rolpassword is null from pg_authid"
                            " where rolname = %s", (bi_login,)).fetchone() == (False, True)
    with pytest.raises(psycopg.OperationalError):
        _as(warehouse, bi_login).close()
    # its open session ended with the revoke
    with pytest.raises(psycopg.OperationalError):
        held.execute("select 1")
    held.close()
    # and it may be granted again
    access.grant(bi_login, None, PASSWORD)
    with _as(warehouse, bi_login) as conn:
        assert conn.execute("select current_user").fetchone()[0] == bi_login


def test_a_bi_login_reaches_the_warehouse_database_only(
        warehouse: str, bi_login: str, server_url: str, server_is_embedded: bool) -> None:
    # Airflow's metadata database, made the way `monev airflow` makes it
    cluster.ensure_database(server_url, settings().airflow_db)
    access.grant(bi_login, "62", PASSWORD)
    with _as(warehouse, bi_login) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    # the embedded cluster's own databases (an external server's are its DBA's)
    others = ["postgres", "template1"] if server_is_embedded else []
    for database in [*others, settings().airflow_db]:
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            _as(warehouse, bi_login, database).close()

"""The embedded warehouse on a shared server: every login authenticates, the roles the
product uses cannot reach the server's files or programs, secrets stay with their owner,
clusters made before passwords are migrated, and only set-up makes a warehouse.

As root the probes run as the OS user `nobody` (another local account); otherwise as the
current user with no passfile, which is what any other local account has.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from warehouse_support import admin_url_for

from monev.config import reset_settings
from monev.warehouse import cluster

MONEV = Path(sys.executable).with_name("monev")
PSQL_ENV = {"PATH": os.environ["PATH"], "PGPASSFILE": "/dev/null", "PGCONNECT_TIMEOUT": "10"}


def _as_other_user(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `args` as another local account (nobody), from a folder it may enter."""
    cmd = ["runuser", "-u", "nobody", "--", *args] if os.geteuid() == 0 else args
    return subprocess.run(cmd, capture_output=True, text=True, env=PSQL_ENV, cwd="/",
                          input=stdin, timeout=60)


def _psql(conninfo: str, sql: str = "select current_user") -> list[str]:
    return ["psql", "-X", "-w", "-At", "-d", conninfo, "-c", sql]


@pytest.fixture(scope="module")
def live(server_url: str, server_is_embedded: bool) -> cluster.Cluster:
    if not server_is_embedded:
        pytest.skip("probes the embedded cluster; an external server has its own policy")
    with psycopg.connect(server_url) as conn:
        data_dir = Path(conn.execute("SHOW data_directory").fetchone()[0])
        port = int(conn.execute("SHOW port").fetchone()[0])
    passfile = Path(str(make_url(server_url).query["passfile"]))
    return cluster.Cluster(data_dir=data_dir, socket_dir=data_dir.parent / "run",
                           log_file=data_dir.parent / "postgres.log", port=port,
                           bin_dir=cluster.find_bin_dir(cluster.settings()),
                           secrets=passfile.parent)


@pytest.mark.parametrize("role", [cluster.SUPERUSER, cluster.APP_ROLE, "postgres"])
@pytest.mark.parametrize("where", ["tcp4", "tcp6", "socket"])
def test_no_login_without_the_password(live: cluster.Cluster, role: str, where: str) -> None:
    host = {"tcp4": "127.0.0.1", "tcp6": "::1", "socket": str(live.socket_dir)}[where]
    if where == "tcp6":
        # the cluster listens on 127.0.0.1 only: ::1 must not answer at all
        with socket.socket(socket.AF_INET6) as s:
            assert s.connect_ex(("::1", live.port)) != 0
        return
    for password in (None, "wrong-password"):
        conninfo = f"host={host} port={live.port} user={role} dbname=monev"
        if password:
            conninfo += f" password={password}"
        run = _as_other_user(_psql(conninfo))
        assert run.returncode != 0, run.stdout
        said = run.stderr
        assert ("password" in said and ("no password supplied" in said
                                        or "authentication failed" in said)) \
            or "Permission denied" in said, said


def test_pg_hba_has_no_trust_line(live: cluster.Cluster) -> None:
    lines = [line.split() for line in (live.data_dir / "pg_hba.conf").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert lines and all(fields[-1] == "scram-sha-256" for fields in lines), lines


def test_secrets_are_private(live: cluster.Cluster) -> None:
    assert stat.S_IMODE(live.secrets.stat().st_mode) == 0o700
    for role in (cluster.SUPERUSER, cluster.APP_ROLE):
        f = live.passfile(role)
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        if os.geteuid() == 0:
            run = _as_other_user(["cat", str(f)])
            assert run.returncode != 0 and not run.stdout


def test_the_application_role_cannot_reach_server_files_or_programs(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        me = conn.execute("select rolsuper, rolcreaterole, rolbypassrls from pg_roles"
                          " where rolname = current_user").fetchone()
        assert me == (False, False, False)
        for sql in ("copy (select 1) to program 'id'",
                    "select pg_read_file('postgresql.conf')",
                    "create temp table t (x text); copy t from '/etc/passwd'",
                    "grant pg_execute_server_program to current_user",
                    "grant pg_read_server_files to current_user",
                    "alter role current_user superuser",
                    "create role sneaky superuser login"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


def test_bi_passwords_mean_something(warehouse: str) -> None:
    from monev.transform import access

    user = f"bi_{uuid.uuid4().hex[:8]}"
    access.grant(user, "62", "the-right-one")
    try:
        u = make_url(warehouse)
        base = f"host=127.0.0.1 port={u.port} dbname={u.database} user={user}"
        ok = _as_other_user(_psql(base + " password=the-right-one"))
        assert ok.returncode == 0 and ok.stdout.strip() == user, ok.stderr
        for bad in (" password=wrong", ""):
            refused = _as_other_user(_psql(base + bad))
            assert refused.returncode != 0 and not refused.stdout, refused.stdout
    finally:
        with psycopg.connect(admin_url_for(warehouse), autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{user}"')
            conn.execute(f'DROP ROLE "{user}"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cluster_made_before_passwords_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cluster initialised the old way (trust, everything owned by the superuser) is
    secured by set-up: passwords required, the application role owns the warehouse and
    inherits the default privileges, and the data is intact."""
    state = tmp_path / "state"
    monkeypatch.setenv("MONEV_STATE_DIR", str(state))
    monkeypatch.setenv("MONEV_PG_PORT", str(_free_port()))
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    reset_settings()
    c = cluster.cluster()
    # the old initialisation, as the code before this change did it
    for d in (c.data_dir, c.socket_dir):
        d.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(d, cluster._os_user(), cluster._os_user())
    if os.geteuid() == 0:
        shutil.chown(c.data_dir.parent, cluster._os_user(), cluster._os_user())
    os.chmod(c.data_dir, 0o700)
    cluster._run(c, ["initdb", "-D", str(c.data_dir), "-U", cluster.SUPERUSER,
                     "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
    with (c.data_dir / "postgresql.conf").open("a") as fh:
        fh.write(f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{c.socket_dir}'\n")
    try:
        cluster.start(c)
        trust = f"postgresql://{cluster.SUPERUSER}@127.0.0.1:{c.port}"
        with psycopg.connect(trust + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE monev")
        with psycopg.connect(trust + "/monev", autocommit=True) as conn:
            conn.execute("CREATE SCHEMA raw; CREATE ROLE monev_transformer NOLOGIN;"
                         " ALTER DEFAULT PRIVILEGES IN SCHEMA raw"
                         " GRANT SELECT ON TABLES TO monev_transformer;"
                         " CREATE TABLE raw.t (id serial PRIMARY KEY, v text);"
                         " INSERT INTO raw.t (v) VALUES ('kept');"
                         " CREATE VIEW raw.v AS SELECT v FROM raw.t;"
                         " CREATE FUNCTION raw.f() RETURNS int LANGUAGE sql AS 'select 1'")

        # the finding, on this old cluster: another local account logs in as the
        # superuser with no password at all (what every probe above would see)
        probe = _psql(f"host=127.0.0.1 port={c.port} user=monev dbname=monev")
        assert _as_other_user(probe).stdout.strip() == cluster.SUPERUSER

        cluster.up()

        hba = (c.data_dir / "pg_hba.conf").read_text()
        assert "trust" not in "\n".join(
            line for line in hba.splitlines() if not line.lstrip().startswith("#"))
        refused = _as_other_user(probe)
        assert refused.returncode != 0 and not refused.stdout
        with psycopg.connect(c.url, autocommit=True) as conn:
            assert conn.execute("select current_user").fetchone()[0] == cluster.APP_ROLE
            assert conn.execute("select v from raw.t").fetchall() == [("kept",)]
            owners = conn.execute(
                """select distinct pg_get_userbyid(o) from (
                     select relowner from pg_class c join pg_namespace n
                       on n.oid = c.relnamespace where n.nspname = 'raw'
                     union all select nspowner from pg_namespace where nspname = 'raw'
                     union all select proowner from pg_proc where proname = 'f'
                     union all select datdba from pg_database where datname = 'monev'
                   ) x(o)""").fetchall()
            assert owners == [(cluster.APP_ROLE,)]
            conn.execute("insert into raw.t (v) values ('new')")  # its sequence moved too
            conn.execute("create table raw.later (x int)")
            assert conn.execute("select has_table_privilege('monev_transformer',"
                                " 'raw.later', 'SELECT')").fetchone()[0]
    finally:
        cluster.stop(c, "immediate")
        reset_settings()


def test_only_set_up_creates_a_warehouse(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that is not set-up, pointed at a state folder without a cluster, fails
    with a message naming the folder and creates nothing (no initdb)."""
    state = tmp_path / "gone"
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL",
                                                             "WAREHOUSE_ADMIN_URL")}
    env.update(MONEV_STATE_DIR=str(state), MONEV_PG_PORT=str(_free_port()), COLUMNS="200")
    landing = tmp_path / "landing"
    landing.mkdir()
    for args in (["ingest", str(landing)], ["report", "--periode", "2025-03"],
                 ["transform"], ["loads"], ["warehouse", "url"]):
        run = subprocess.run([str(MONEV), *args], capture_output=True, text=True, env=env,
                             timeout=180)
        out = run.stdout + run.stderr
        assert run.returncode != 0, (args, out)
        assert "Traceback" not in out, (args, out)
        assert str(state) in " ".join(out.split()) and "monev warehouse up" in out, (args, out)
    monkeypatch.setenv("MONEV_STATE_DIR", str(state))
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    reset_settings()
    where = cluster.cluster()
    assert not where.data_dir.exists() and not where.data_dir.parent.exists()
    with pytest.raises(cluster.ClusterError, match="monev warehouse up"):
        cluster.require()
    reset_settings()

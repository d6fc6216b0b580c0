"""The application's login cannot climb to the cluster's superuser through the
operator's next routine command (issue 29, High #2).

As monev_app (its password from the state folder's secrets, as an attacker holding it
would) the test replaces the functions the superuser used to call for a grant
(`access.beri_akses`, `access.cabut_akses`, `access.is_bi_login`), and shadows every
catalog name the admin's statements use: a schema of its own put first on the
database's search_path (monev_app owns the database, so it may), holding functions and
views named like the catalog's. Each planted object writes a marker row with the role
it ran as. Then the operator runs `monev access grant-province` and `revoke`: no
marker, and the grant still works.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from monev.transform import access

MONEV = Path(sys.executable).with_name("monev")
PASSWORD = "climb-test-pw"  # test-only

# The catalog functions and relations the admin's statements name.
_FUNCTIONS = [
    ("current_database()", "name", "pg_catalog.current_database()"),
    ("pg_get_userbyid(oid)", "name", "pg_catalog.pg_get_userbyid($1)"),
    ("shobj_description(oid, name)", "text", "pg_catalog.shobj_description($1, $2)"),
    ("current_setting(text)", "text", "pg_catalog.current_setting($1)"),
    ("pg_terminate_backend(integer, bigint DEFAULT 0)", "boolean", "false"),
]
_RELATIONS = ["pg_roles", "pg_database", "pg_auth_members", "pg_stat_activity"]


def _plant(app_url: str) -> None:
    """What monev_app can do in the warehouse it owns."""
    with psycopg.connect(app_url, autocommit=True) as conn:
        database = conn.execute("select current_database()").fetchone()[0]
        conn.execute("create schema planted")
        conn.execute("create table planted.marks (ran_as text, superuser boolean, what text)")
        conn.execute("grant insert on planted.marks to public")
        conn.execute("grant usage on schema planted to public")
        conn.execute("""
            create function planted.mark(what text) returns boolean
            language plpgsql as $$
            begin
                insert into planted.marks
                values (current_user, pg_catalog.current_setting('is_superuser') = 'on',
                        what);
                return true;
            end $$""")
        for signature, returns, body in _FUNCTIONS:
            name = signature.split("(")[0]
            conn.execute(f"""
                create function planted.{signature} returns {returns}
                language plpgsql as $$
                begin
                    perform planted.mark('{name}');
                    return {body};
                end $$""")
        for rel in _RELATIONS:
            conn.execute(f"create view planted.{rel} as select * from pg_catalog.{rel}"
                         f" where planted.mark('{rel}')")
        # the old entry points, replaced (or created again after they were dropped)
        conn.execute("""
            create or replace function access.beri_akses(pengguna text, kode_provinsi text,
                kata_sandi text default null, peran text default 'monev_bi')
            returns void language plpgsql as $$
            begin perform planted.mark('beri_akses'); end $$""")
        conn.execute("""
            create or replace function access.cabut_akses(pengguna text)
            returns void language plpgsql as $$
            begin perform planted.mark('cabut_akses'); end $$""")
        conn.execute("""
            create or replace function access.is_bi_login(pengguna text)
            returns boolean language plpgsql as $$
            begin return planted.mark('is_bi_login'); end $$""")
        # every later session in this database, the superuser's included, would resolve
        # names in `planted` before the catalog; `public` is the app's too
        conn.execute(f'alter database "{database}" set search_path = planted, pg_catalog, public')
        # the one schema the admin's session resolves names in is closed to it (pg_temp,
        # the other, is each session's own)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create function pg_catalog.planted() returns int"
                         " language sql as 'select 1'")


def _marks(app_url: str) -> list[tuple[str, bool, str]]:
    with psycopg.connect(app_url) as conn:
        return conn.execute("select * from planted.marks").fetchall()


def _as(url: str, user: str) -> psycopg.Connection:
    u = make_url(url).difference_update_query(["passfile"]).set(username=user,
                                                                password=PASSWORD)
    return psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)


def test_planted_code_never_runs_as_the_superuser(warehouse: str) -> None:
    user = f"bi_{uuid.uuid4().hex[:8]}"
    _plant(warehouse)
    try:
        run = subprocess.run(
            [str(MONEV), "access", "grant-province", user, "62"], capture_output=True,
            text=True, stdin=subprocess.DEVNULL, timeout=120,
            env={**os.environ, "MONEV_BI_PASSWORD": PASSWORD})
        assert run.returncode == 0, run.stdout + run.stderr
        assert _marks(warehouse) == []
        # the grant did what it says: the login reads its province through the policy
        with _as(warehouse, user) as conn:
            assert conn.execute("select current_user").fetchone()[0] == user
            assert conn.execute("select access.provinsi_pengguna(current_user)"
                                ).fetchone()[0] == "62"
        assert [(u.rolname, u.kode_provinsi) for u in access.users()
                if u.rolname == user] == [(user, "62")]
        access.revoke(user)
        assert _marks(warehouse) == []
        with pytest.raises(psycopg.OperationalError):
            _as(warehouse, user).close()
    finally:
        with psycopg.connect(os.environ["WAREHOUSE_ADMIN_URL"], autocommit=True,
                             options="--search_path=pg_catalog") as conn:
            conn.execute(f'drop role if exists "{user}"')

"""The access commands manage BI logins only: the project's own roles, a superuser and
any other existing role are refused (the password and mapping stay untouched), and bad
input is a usage error, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from warehouse_support import admin_url_for

from monev.transform import access

MONEV = Path(sys.executable).with_name("monev")


def _password(conn: psycopg.Connection, role: str) -> str | None:
    row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize("role", ["monev", "monev_app", "monev_loader", "monev_transformer",
                                  "monev_bi", "monev_analyst", "postgres_like_su",
                                  "app_service"])
def test_non_bi_roles_are_refused_and_left_untouched(warehouse: str, role: str) -> None:
    # an operator's session: creates roles and reads pg_authid
    with psycopg.connect(admin_url_for(warehouse), autocommit=True) as conn:
        if role == "postgres_like_su":
            role = f"su_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER')
        elif role == "app_service":
            role = f"app_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
            conn.execute(f'GRANT monev_loader TO "{role}"')
        before = _password(conn, role)
        with pytest.raises(ValueError):
            access.grant(role, "62", "y")
        assert _password(conn, role) == before
        assert conn.execute("SELECT count(*) FROM access.pengguna_wilayah WHERE rolname = %s",
                            (role,)).fetchone()[0] == 0
        with pytest.raises(ValueError):
            access.revoke(role)


def test_a_bi_login_can_be_granted_revoked_and_granted_again(warehouse: str) -> None:
    user = f"bi_{uuid.uuid4().hex[:8]}"
    access.grant(user, "62", "pw1")
    access.revoke(user)
    access.grant(user, None, "pw2")
    assert next(u for u in access.users() if u.rolname == user).kode_provinsi is None


@pytest.mark.parametrize(("args", "says"), [
    (["grant-province", "monev", "62"], "bukan pengguna BI"),
    (["grant-province", "monev_loader", "62"], "bukan pengguna BI"),
    (["grant-province", "Bad Name;", "62"], "lower-case"),
    (["grant-province", "bi_x", "6"], "two-digit"),
    (["grant-national", "bi_x", "--role", "postgres"], "monev_bi or monev_analyst"),
    (["revoke", "monev_transformer"], "bukan pengguna BI"),
])
def test_cli_refusals_are_usage_errors(warehouse: str, args: list[str], says: str) -> None:
    run = subprocess.run([str(MONEV), "access", *args], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL,
                         env={**os.environ, "COLUMNS": "200"}, timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode == 2, out
    assert says in out and "Traceback" not in out, out

"""BI users and the province they may see in the marts (row-level security).

The mapping lives in access.pengguna_wilayah (migration V006); the policies that read
it are put on the marts tables by the dbt post-hook after every build. A provincial
user sees its province's rows plus the national rows; a national user sees all.

Two logins, each doing only what it owns:

- the role work (CREATE/ALTER ROLE, GRANT of a group, CONNECT on the databases) needs a
  login that may manage roles: `db.admin_url()`, the embedded cluster's superuser or
  WAREHOUSE_ADMIN_URL. It runs fixed statements from here, on the system catalogs
  only, with `search_path = pg_catalog, pg_temp`: it never calls a function, reads a
  table or resolves a name the application's role owns or can create, so nothing the
  application's login could replace (as it could replace `access.beri_akses`, which
  the superuser used to call) ever runs with the superuser's rights.
- the mapping tables (access.*) and the province list (raw.wilayah) are the
  application's: read and written through its own connection.

Which existing roles are BI logins is decided from what the application's login cannot
forge: the role's comment (`COMMENT ON ROLE` needs CREATEROLE), its membership of
monev_bi / monev_analyst (granted by the admin only), or - for logins made before the
comment, still able to log in - their entry in access.login_bi.

A BI login gets a connection limit, a statement timeout and a temp-file limit
(`config.BiLimits`); a grant is refused when the BI logins' connection limits together
would eat into the connections kept for the project's own logins. A revoked login keeps
no LOGIN and no password, and its sessions end.

A password is sent as its SCRAM verifier, computed here, so the clear text never reaches
the server or its logs.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass

import psycopg
from psycopg import sql

from monev.config import settings
from monev.warehouse import cluster, db

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PROV = re.compile(r"^[0-9]{2}$")
GROUPS = cluster.BI_GROUPS
# The comment that marks a role as a BI login made by `monev access`.
MARK = "monev: login BI"


@dataclass(frozen=True)
class BiUser:
    rolname: str
    kode_provinsi: str | None  # None = national

    @property
    def scope(self) -> str:
        return "NASIONAL" if self.kode_provinsi is None else f"PROVINSI {self.kode_provinsi}"


def _check_role(name: str) -> None:
    # Role names become identifiers in CREATE ROLE: keep them to plain lower-case names.
    if not _ROLE.match(name):
        raise ValueError("user name must be lower-case letters, digits and _ (max 63)")


def grant(
    user: str,
    kode_provinsi: str | None,
    password: str | None = None,
    role: str = "monev_bi",
    url: str | None = None,
) -> BiUser:
    """Create or update a login user limited to one province (None = national)."""
    _check_role(user)
    if role not in GROUPS:
        raise ValueError("role must be monev_bi or monev_analyst")
    if kode_provinsi is not None and not _PROV.match(kode_provinsi):
        raise ValueError("kode_provinsi must be a two-digit province code, e.g. 62")
    with db.connect(autocommit=True) as app:
        if kode_provinsi is not None and not app.execute(
                "SELECT 1 FROM raw.wilayah WHERE kode = %s AND tingkat = 'PROVINSI'",
                (kode_provinsi,)).fetchone():
            raise ValueError(f"unknown province code {kode_provinsi}")
        legacy = _legacy_login(app, user)
        with _admin(url) as conn, conn.transaction():
            _make_login(conn, user, password, role, legacy)
        app.execute(
            "INSERT INTO access.pengguna_wilayah (rolname, kode_provinsi) VALUES (%s, %s)"
            " ON CONFLICT (rolname) DO UPDATE SET kode_provinsi = EXCLUDED.kode_provinsi",
            (user, kode_provinsi))
    return BiUser(user, kode_provinsi)


def revoke(user: str, url: str | None = None) -> None:
    """Remove the user's mapping and BI roles; the login role is kept (it may be granted
    again) but cannot log in, has no password, and its open sessions are ended."""
    _check_role(user)
    with db.connect(autocommit=True) as app:
        legacy = _legacy_login(app, user)
        with _admin(url) as conn:
            with conn.transaction():
                found = _role(conn, user)
                if user.startswith("monev") or found is None or found["privileged"] or not (
                        found["marked"] or found["bi_member"] or legacy):
                    raise ValueError(f"peran {user} bukan pengguna BI")
                name = sql.Identifier(user)
                conn.execute(sql.SQL("REVOKE {} FROM {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, GROUPS)), name))
                conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN PASSWORD NULL").format(name))
                conn.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(name, sql.Literal(MARK)))
            # an external server's admin may lack pg_signal_backend: NOLOGIN still holds
            with suppress(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             " WHERE usename = %s", (user,))
        app.execute("DELETE FROM access.pengguna_wilayah WHERE rolname = %s", (user,))


def users(url: str | None = None) -> list[BiUser]:
    with db.connect(url) as conn:
        rows = conn.execute(
            "SELECT rolname, kode_provinsi FROM access.pengguna_wilayah ORDER BY rolname"
        ).fetchall()
    return [BiUser(r[0], r[1]) for r in rows]


def _legacy_login(app: psycopg.Connection, user: str) -> bool:
    """Made by the access functions before the comment marked BI logins."""
    return app.execute("SELECT 1 FROM access.login_bi WHERE rolname = %s",
                       (user,)).fetchone() is not None


def _admin(url: str | None) -> psycopg.Connection:
    """A connection that may manage roles, its name resolution pinned to the system
    catalog (over the URL's and the database's own search_path)."""
    return psycopg.connect(url or db.admin_url(), autocommit=True, options=cluster.PINNED)


def _role(conn: psycopg.Connection, user: str) -> dict[str, object] | None:
    row = conn.execute(
        """SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication
                  OR r.rolbypassrls,
                  r.rolcanlogin,
                  shobj_description(r.oid, 'pg_authid') IS NOT DISTINCT FROM %s,
                  EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                          WHERE m.member = r.oid AND g.rolname = ANY(%s)),
                  EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                          WHERE m.member = r.oid AND g.rolname <> ALL(%s))
           FROM pg_roles r WHERE r.rolname = %s""",
        (MARK, list(GROUPS), list(GROUPS), user)).fetchone()
    if row is None:
        return None
    return dict(zip(("privileged", "login", "marked", "bi_member", "other_member"), row,
                    strict=True))


def _make_login(conn: psycopg.Connection, user: str, password: str | None, role: str,
                legacy: bool) -> None:
    """The admin's part of a grant, in one transaction: refuse any role that is not a
    BI login, create or update the login with its limits, grant its group."""
    me, owner = conn.execute(
        "SELECT current_user, pg_get_userbyid(datdba) FROM pg_database"
        " WHERE datname = current_database()").fetchone()
    if user.startswith("monev") or user.startswith("pg_") or user in (me, owner):
        raise ValueError(f"peran {user} adalah peran sistem/proyek, bukan pengguna BI")
    found = _role(conn, user)
    name = sql.Identifier(user)
    if found is not None:
        if found["privileged"]:
            raise ValueError(f"peran {user} bukan login BI (hak istimewa)")
        known = found["marked"] or (found["login"] and (found["bi_member"] or legacy))
        if found["other_member"] or not known:
            raise ValueError(f"peran {user} sudah ada dan bukan pengguna BI")
    else:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(name))
    limits = settings().bi_limits
    conn.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(name, sql.Literal(MARK)))
    conn.execute(sql.SQL("ALTER ROLE {} LOGIN CONNECTION LIMIT {}").format(
        name, sql.Literal(limits.connection_limit)))
    if password is not None:
        verifier = conn.pgconn.encrypt_password(password.encode(), user.encode(),
                                                b"scram-sha-256").decode()
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(verifier)))
    # temp_file_limit is superuser-only to change: the login cannot lift it. A BI login
    # could lift its own statement_timeout with SET; the connection limit still bounds it.
    conn.execute(sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(
        name, sql.Literal(limits.statement_timeout)))
    try:
        conn.execute(sql.SQL("ALTER ROLE {} SET temp_file_limit = {}").format(
            name, sql.Literal(limits.temp_file_limit)))
    except psycopg.errors.InsufficientPrivilege:
        raise ValueError(
            "the admin login may not set temp_file_limit on a BI login: use a superuser "
            "for WAREHOUSE_ADMIN_URL, or GRANT SET ON PARAMETER temp_file_limit TO it"
        ) from None
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), name))
    _connect_only_here(conn)
    _check_reserve(conn, limits.app_reserved_connections)


def _connect_only_here(conn: psycopg.Connection) -> None:
    """BI logins connect to the warehouse database and no other: CONNECT is the BI
    groups', not PUBLIC's, here; the embedded cluster closes its other databases at
    set-up (cluster.close_databases), a new one at its creation."""
    database = conn.execute("SELECT current_database()").fetchone()[0]
    here = sql.Identifier(database)
    conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(here))
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
        here, sql.SQL(", ").join(map(sql.Identifier, GROUPS))))


def _check_reserve(conn: psycopg.Connection, reserved: int) -> None:
    """PostgreSQL 15 cannot reserve connections for a role (`reserved_connections` is
    16's): the BI logins' limits together must leave `reserved` connections (plus the
    superuser's own) to the project's logins."""
    total, available = conn.execute(
        """SELECT coalesce(sum(greatest(r.rolconnlimit, 0)), 0),
                  current_setting('max_connections')::int
                  - current_setting('superuser_reserved_connections')::int
           FROM pg_roles r
           WHERE r.rolcanlogin AND EXISTS (
               SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               WHERE m.member = r.oid AND g.rolname = ANY(%s))""",
        (list(GROUPS),)).fetchone()
    if total > available - reserved:
        raise ValueError(
            f"BI logins would take {total} of {available} connections, leaving fewer than "
            f"the {reserved} kept for the project's own logins "
            "(MONEV_PG_APP_RESERVED_CONNECTIONS): raise max_connections, lower "
            "MONEV_BI_CONNECTION_LIMIT, or revoke unused BI logins")

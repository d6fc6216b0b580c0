"""BI users and the province they may see in the marts (row-level security).

The mapping lives in access.pengguna_wilayah (migration V006); the policies that read
it are put on the marts tables by the dbt post-hook after every build. A provincial
user sees its province's rows plus the national rows; a national user sees all.

Creating login roles needs a role that may create roles, which the application's role
is not: grants and revokes go through `db.admin_url()` (the embedded cluster's
superuser, or WAREHOUSE_ADMIN_URL). A password is sent as its SCRAM verifier, computed
here, so the clear text never reaches the server or its logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from monev.warehouse import db

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PROV = re.compile(r"^[0-9]{2}$")


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
    if role not in ("monev_bi", "monev_analyst"):
        raise ValueError("role must be monev_bi or monev_analyst")
    if kode_provinsi is not None and not _PROV.match(kode_provinsi):
        raise ValueError("kode_provinsi must be a two-digit province code, e.g. 62")
    with _admin(url) as conn:
        if kode_provinsi is not None:
            known = conn.execute(
                "SELECT 1 FROM raw.wilayah WHERE kode = %s AND tingkat = 'PROVINSI'",
                (kode_provinsi,),
            ).fetchone()
            if not known:
                raise ValueError(f"unknown province code {kode_provinsi}")
        verifier = None if password is None else conn.pgconn.encrypt_password(
            password.encode(), user.encode()).decode()
        with _refusal():
            conn.execute(
                "SELECT access.beri_akses(%s, %s, %s, %s)", (user, kode_provinsi, verifier, role)
            )
    return BiUser(user, kode_provinsi)


def _admin(url: str | None) -> psycopg.Connection:
    """A connection that may manage roles. The schema is brought up to date by the
    application's role first, so nothing is ever created owned by the admin."""
    db.ensure_warehouse()
    return psycopg.connect(url or db.admin_url(), autocommit=True)


@contextmanager
def _refusal() -> Iterator[None]:
    """The access functions refuse non-BI roles with an exception: a usage error."""
    try:
        yield
    except psycopg.errors.RaiseException as e:
        raise ValueError(e.diag.message_primary or "refused") from None


def revoke(user: str, url: str | None = None) -> None:
    """Remove the user's mapping and BI roles (the login role itself is kept)."""
    _check_role(user)
    with _admin(url) as conn, _refusal():
        conn.execute("SELECT access.cabut_akses(%s)", (user,))


def users(url: str | None = None) -> list[BiUser]:
    with db.connect(url) as conn:
        rows = conn.execute(
            "SELECT rolname, kode_provinsi FROM access.pengguna_wilayah ORDER BY rolname"
        ).fetchall()
    return [BiUser(r[0], r[1]) for r in rows]

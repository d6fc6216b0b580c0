"""What Superset holds for each warehouse BI login: its connection (as that login, so
PostgreSQL's row-level security decides the rows), the datasets, charts and dashboards
of that connection, a Superset user of the same name, and a role giving that user
access to its own connection only.

Superset makes them itself on the login's first sign-in, after the warehouse accepted
the password (deploy/superset/monev_superset.py, which runs `python -m monev.bi.assets
LOGIN` for the bundle): `monev access grant-*` needs no running BI server. `monev bi up`
keeps the national connection the admin uses (`superset_nasional`, its password
generated into the state folder).
"""

from __future__ import annotations

import hashlib
import json
import secrets

from sqlalchemy.engine import URL, make_url

from monev.bi import bundle
from monev.bi.api import Superset
from monev.bi.state import admin_password, base_url, paths, secret_file
from monev.warehouse import db

DEFAULT_LOGIN = "superset_nasional"


def connection_uri(login: str) -> str:
    """The warehouse URL as `login` (psycopg2, Superset's driver), password masked: the
    real one goes in the import's `passwords` field and is stored encrypted."""
    u = make_url(db.warehouse_url())
    u = u.set(drivername="postgresql+psycopg2", username=login, password="XXXXXXXXXX",
              query={k: v for k, v in u.query.items() if k not in ("passfile", "password")})
    return u.render_as_string(hide_password=False)


def warehouse_dsn() -> str:
    """The warehouse as libpq reaches it, without a login (Superset checks a BI login's
    password by connecting as it): MONEV_SUPERSET_WAREHOUSE of Superset's processes."""
    u = make_url(db.warehouse_url())
    return URL.create("postgresql", host=u.host, port=u.port, database=u.database,
                      query={k: v for k, v in u.query.items()
                             if k not in ("passfile", "password", "user")}
                      ).render_as_string(hide_password=False)


def admin_session(url: str | None = None) -> Superset:
    return Superset(url or base_url(), "admin", admin_password())


def import_login(api: Superset, login: str, password: str) -> int:
    """(Re)import the login's connection, datasets, charts and dashboards; its database id."""
    contents = bundle.files(login, connection_uri(login))
    api.import_bundle(bundle.zipped(contents), {bundle.database_file(login): password})
    (found,) = api.find("database", database_name=bundle.database_name(login))
    return int(found["id"])


def add_login(login: str, password: str, url: str | None = None) -> None:
    """Make Superset's side of the BI login `login` (already granted in the warehouse)
    now rather than at its first sign-in: sign in once as it."""
    with Superset(url or base_url(), login, password):
        pass


def _role_id(api: Superset, name: str) -> int | None:
    found = api.find("security/roles", name=name)
    return int(found[0]["id"]) if found else None


def remove_login(login: str, url: str | None = None) -> None:
    """Remove the login's Superset user first (its access ends at once), then its role,
    dashboards, charts, datasets and connection."""
    with admin_session(url) as api:
        for u in api.find("security/users", username=login):
            api.call("DELETE", f"/api/v1/security/users/{u['id']}")
        role_id = _role_id(api, f"monev_{login}")
        if role_id is not None:
            api.call("DELETE", f"/api/v1/security/roles/{role_id}")
        for d in bundle.DASHBOARDS:
            for kind, key, resource in [("dashboard", d.key, "dashboard"),
                                        *[("chart", c.key, "chart") for c in d.charts]]:
                uid = bundle.object_uuid(login, kind, key)
                for row in api.find(resource, uuid=uid) if resource == "chart" else \
                        [r for r in api.find(resource, slug=bundle.slug(d, login))]:
                    api.call("DELETE", f"/api/v1/{resource}/{row['id']}", ok=(200, 404))
        for database in api.find("database", database_name=bundle.database_name(login)):
            for ds in api.find("dataset", opr="rel_o_m", database=database["id"]):
                api.call("DELETE", f"/api/v1/dataset/{ds['id']}", ok=(200, 404))
            api.call("DELETE", f"/api/v1/database/{database['id']}", ok=(200, 404))


def default_password() -> str:
    return secret_file(paths().warehouse_password, lambda: secrets.token_urlsafe(24))


def grant_default() -> str:
    """The national connection's warehouse login (granted on every start, so a rebuilt
    warehouse has it); its password."""
    from monev.transform import access

    password = default_password()
    access.grant(DEFAULT_LOGIN, None, password)
    return password


def ensure_default(url: str, password: str | None = None) -> None:
    """The national connection the admin's dashboards use, imported on a start when the
    spec changed (or the connection is missing) so the spec in git is what is on screen;
    then every other login's copy is re-imported too (Superset keeps their passwords).
    `password`: given when grant_default() already ran (while the server booted)."""
    password = password or grant_default()
    stamp = paths().bundle_stamp
    digest = hashlib.sha256(json.dumps(bundle.files("x", "postgresql://x"),
                                       sort_keys=True).encode()).hexdigest()
    with admin_session(url) as api:
        unchanged = stamp.exists() and stamp.read_text().strip() == digest
        if unchanged and api.find("database",
                                  database_name=bundle.database_name(DEFAULT_LOGIN)):
            return
        import_login(api, DEFAULT_LOGIN, password)
        for login in logins(api):
            if login != DEFAULT_LOGIN:
                api.import_bundle(bundle.zipped(bundle.files(login, connection_uri(login))),
                                  {})
        stamp.write_text(digest + "\n")


def logins(api: Superset) -> list[str]:
    """The BI logins that have a connection in Superset."""
    prefix, suffix = bundle.database_name("\0").split("\0")
    names = [d["database_name"] for d in api.call(
        "GET", "/api/v1/database/", params={"q": "(page_size:100)"})["result"]]
    return [n[len(prefix):-len(suffix)] for n in names
            if n.startswith(prefix) and n.endswith(suffix)]


def main(argv: list[str]) -> None:
    """`python -m monev.bi.assets LOGIN`: the login's import bundle as JSON ({path: YAML}),
    for Superset's first sign-in of a BI login (the connection's password is not in it)."""
    (login,) = argv
    print(json.dumps(bundle.files(login, connection_uri(login))))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

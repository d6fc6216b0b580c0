"""A small client of Superset's REST API (login, CSRF, the calls monev.bi needs)."""

from __future__ import annotations

import json
from typing import Any

import httpx


class BiError(RuntimeError):
    """The BI server cannot be installed, started or reached: a message for the user."""


def rison(value: Any) -> str:
    """Rison, the query encoding of Superset's list endpoints (`?q=`)."""
    if isinstance(value, bool):
        return "!t" if value else "!f"
    if value is None:
        return "!n"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("!", "!!").replace("'", "!'") + "'"
    if isinstance(value, list | tuple):
        return "!(" + ",".join(rison(v) for v in value) + ")"
    return "(" + ",".join(f"{k}:{rison(v)}" for k, v in value.items()) + ")"


class Superset:
    """A logged-in API session (JWT plus the session cookie the CSRF token is bound to)."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=120)
        r = self.http.post("/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db", "refresh": False})
        if r.status_code != 200:
            raise BiError(f"Superset refused the login of {username} ({r.status_code})")
        self.http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        csrf = self.http.get("/api/v1/security/csrf_token/")
        if csrf.status_code == 200:
            self.http.headers["X-CSRFToken"] = csrf.json()["result"]
        self.http.headers["Referer"] = base_url

    def __enter__(self) -> Superset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def call(self, method: str, path: str, ok: tuple[int, ...] = (200, 201), **kw: Any
             ) -> dict[str, Any]:
        r = self.http.request(method, path, **kw)
        if r.status_code not in ok:
            raise BiError(f"Superset {method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else {}

    def find(self, resource: str, opr: str = "eq", **filters: Any) -> list[dict[str, Any]]:
        """Rows of a list endpoint whose columns match the given values (`opr`: eq, or
        rel_o_m for a related object's id)."""
        q = {"page_size": 100, "filters": [{"col": k, "opr": opr, "value": v}
                                           for k, v in filters.items()]}
        return self.call("GET", f"/api/v1/{resource}/", params={"q": rison(q)})["result"]

    def import_bundle(self, bundle: bytes, passwords: dict[str, str]) -> None:
        """POST /api/v1/assets/import/: overwrites every object of the bundle (the CLI
        importer keeps an edited chart as it was)."""
        self.call("POST", "/api/v1/assets/import/",
                  files={"bundle": ("bundle.zip", bundle, "application/zip")},
                  data={"passwords": json.dumps(passwords)})

"""Which login a test uses for what: the application's role for everything the product
does, and an admin login only where the product itself would use one (`monev access`)
or where a test sets up what an operator or attacker would (roles, grants).

The embedded cluster's admin is its superuser (set-up in conftest records its URL); an
external server's is WAREHOUSE_ADMIN_URL, or WAREHOUSE_URL itself.
"""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url

SERVER_ADMIN: dict[str, str] = {}


def admin_url_for(url: str) -> str:
    """The admin URL of the database `url` points at."""
    server = SERVER_ADMIN.get("url") or os.environ.get("WAREHOUSE_ADMIN_URL")
    if not server:
        return url
    return make_url(server).set(database=make_url(url).database).render_as_string(
        hide_password=False)

"""The dbt connection, derived from the warehouse URL.

profiles.yml reads only environment variables; this module is the one place that turns
WAREHOUSE_URL (or the embedded cluster's URL) into them, so dbt, the CLI, Airflow and
the tests all reach the same database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url


def dbt_env(url: str, threads: int | None = None) -> dict[str, str]:
    """The MONEV_DBT_* variables profiles.yml reads, for a PostgreSQL URL."""
    u = make_url(url)
    query = dict(u.query)
    env = {
        "MONEV_DBT_HOST": u.host or "127.0.0.1",
        "MONEV_DBT_PORT": str(u.port or 5432),
        "MONEV_DBT_USER": u.username or "postgres",
        "MONEV_DBT_PASSWORD": u.password or "",
        "MONEV_DBT_DBNAME": u.database or "postgres",
        "MONEV_DBT_SSLMODE": str(query.get("sslmode", "prefer")),
    }
    if query.get("passfile"):
        # libpq reads the password from the passfile the URL names (dbt's profile has
        # no place for it; its empty password makes libpq look there)
        env["PGPASSFILE"] = str(query["passfile"])
    if threads is not None:
        env["MONEV_DBT_THREADS"] = str(threads)
    return env


@contextmanager
def dbt_environment(url: str, threads: int | None = None) -> Iterator[None]:
    """Set the dbt variables for the duration of one in-process dbt invocation."""
    new = dbt_env(url, threads)
    # dbt sends anonymous usage stats and checks versions unless told not to.
    new.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    new.setdefault("DBT_VERSION_CHECK", "false")
    old = {k: os.environ.get(k) for k in new}
    os.environ.update(new)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

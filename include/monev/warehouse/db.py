"""Connections to the warehouse, wherever it is.

`WAREHOUSE_URL` points at an existing server; without it the embedded cluster is used,
which only set-up (`monev warehouse up`, `demo`, `airflow`) creates or starts: any other
path that finds it missing fails naming the state folder, never making a new, empty
warehouse. Either way the first connection brings the schema up to date.

Two URLs: :func:`warehouse_url`, the application's (every component), and
:func:`admin_url`, the one role management (`monev access`) uses — the cluster's
superuser for the embedded warehouse, WAREHOUSE_ADMIN_URL (default WAREHOUSE_URL) for an
external one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from monev import catalog
from monev.config import settings
from monev.warehouse import cluster
from monev.warehouse.migrate import migrate

_ready: set[str] = set()


def warehouse_url(start: bool = False) -> str:
    """The application's URL. `start=True` is for set-up paths only: it creates and
    starts the embedded cluster when needed."""
    cfg = settings()
    if cfg.warehouse_url:
        return cfg.warehouse_url
    return (cluster.up(cfg) if start else cluster.require(cfg)).url


def planned_url() -> str:
    """The application's URL without looking for the server: dbt's parse needs a
    profile, not a database, and runs at set-up before any cluster exists."""
    cfg = settings()
    return cfg.warehouse_url or cluster.cluster(cfg).url


def admin_url() -> str:
    """The URL that may create and alter login roles (`monev access`)."""
    cfg = settings()
    if cfg.warehouse_url:
        return cfg.warehouse_admin_url or cfg.warehouse_url
    return cluster.require(cfg).admin_url()


def ensure_warehouse(url: str | None = None) -> str:
    """Make sure the warehouse runs and its schema is current; return its URL."""
    url = url or warehouse_url()
    if url not in _ready:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
        _ready.add(url)
    return url


@contextmanager
def connect(url: str | None = None, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    url = ensure_warehouse(url)
    with psycopg.connect(url, autocommit=autocommit) as conn:
        yield conn


# What makes a warehouse not empty: any delivery but the shipped reference tables
# (loaded on first use), any report run, any built mart. A database not yet migrated
# is empty.
_CONTENTS = ("SELECT (to_regclass('audit.load_batches') IS NOT NULL AND EXISTS"
             " (SELECT 1 FROM audit.load_batches WHERE source <> ALL(%s)))"
             " OR (to_regclass('audit.report_runs') IS NOT NULL AND EXISTS"
             " (SELECT 1 FROM audit.report_runs))"
             " OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n"
             " ON n.oid = c.relnamespace WHERE n.nspname = 'marts' AND c.relkind IN"
             " ('r', 'p', 'v', 'm'))")


def is_empty(conn: psycopg.Connection) -> bool:
    """Does the warehouse hold nothing of its own yet (a restore or a rebuild may fill
    it)? The one definition of "empty"."""
    return not conn.execute(_CONTENTS, (list(catalog.SHIPPED),)).fetchone()[0]


def forget_ready() -> None:
    """Tests that drop and recreate databases call this so migrations run again."""
    _ready.clear()

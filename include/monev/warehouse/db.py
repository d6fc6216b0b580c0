"""Connections to the warehouse, wherever it is.

`WAREHOUSE_URL` points at an existing server and starts nothing; without it the
embedded cluster is started on demand. Either way the first connection brings the
schema up to date, so a fresh, empty database needs no other step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from monev.config import settings
from monev.warehouse import cluster
from monev.warehouse.migrate import migrate

_ready: set[str] = set()


def warehouse_url(start: bool = True) -> str:
    cfg = settings()
    if cfg.warehouse_url:
        return cfg.warehouse_url
    c = cluster.up(cfg) if start else cluster.cluster(cfg)
    return c.url


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


def forget_ready() -> None:
    """Tests that drop and recreate databases call this so migrations run again."""
    _ready.clear()

"""The benches' harness: quiet output as the CLI's, a scratch warehouse database and state
folder for one run, and waiting for the machine to settle between measurements."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from monev.config import reset_settings
from monev.console import setup
from monev.warehouse import cluster, db


def quiet() -> None:
    """A bench's output: its own figures and warnings, library noise filtered where it
    arises, as the CLI filters it (WeasyPrint's CSS notes, GX's import chatter)."""
    logging.basicConfig(level=logging.WARNING)
    setup()


@contextmanager
def scratch_warehouse(name: str) -> Iterator[tuple[cluster.Cluster, str, Path]]:
    """Yield (embedded cluster, URL of a fresh database `name`, work folder); every
    package call inside points at them. Both are removed afterwards."""
    c = cluster.up()
    with psycopg.connect(c.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(c.url).set(database=name).render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="monev_bench_"))
    os.environ["WAREHOUSE_URL"] = url
    os.environ["MONEV_STATE_DIR"] = str(work / "state")
    reset_settings()
    db.forget_ready()
    try:
        yield c, url, work
    finally:
        db.forget_ready()
        with psycopg.connect(c.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def settle(url: str, limit: float = 900) -> float:
    """Wait until no autovacuum worker runs in `url`'s database (at most `limit` s);
    the seconds waited. A month is timed the way it arrives in production, a month after
    the last one: the background vacuum and analyze of what was just loaded and built
    (minutes after a national month) are done by then, not shared with the timing."""
    t = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() - t < limit and conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                " AND datname = current_database()").fetchone()[0]:
            time.sleep(1)
    return time.monotonic() - t

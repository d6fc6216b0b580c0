"""A scratch warehouse database and state folder for one benchmark run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from monev.config import reset_settings
from monev.warehouse import cluster, db


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

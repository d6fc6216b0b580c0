"""Versioned, idempotent schema migrations.

Files `migrations/V<NNN>__<what>.sql` are applied once each, in order, each in its own
transaction, under an advisory lock so concurrent first commands (a DAG and the CLI)
don't race. After the migrations, `audit.source_catalog` is rewritten from `monev.catalog`
(the one list of sources) and the shipped region seed is loaded if its table is empty.
"""

from __future__ import annotations

import re
from importlib import resources

import psycopg

from monev import catalog

_LOCK_ID = 7_202_102  # arbitrary, fixed: Inpres 2/2021
_NAME = re.compile(r"^V(\d{3})__[a-z0-9_]+\.sql$")


def _migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("monev.warehouse") / "migrations"
    found = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply pending migrations; return the names applied. `conn` must be autocommit."""
    applied_now: list[str] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
    try:
        conn.execute("CREATE SCHEMA IF NOT EXISTS audit")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS audit.schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM audit.schema_migrations")}
        for version, name, sql in _migration_files():
            if version in done:
                continue
            with conn.transaction():
                conn.execute(sql)
                conn.execute(
                    "INSERT INTO audit.schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )
            applied_now.append(name)
        _sync_source_catalog(conn)
        _seed_regions(conn)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return applied_now


def _sync_source_catalog(conn: psycopg.Connection) -> None:
    rows = [(s.name, s.period, s.report, s.watched, rank)
            for rank, s in enumerate(catalog.SOURCES)]
    current = conn.execute(
        "SELECT source, period, report, watched, load_rank FROM audit.source_catalog"
        " ORDER BY load_rank").fetchall()
    if current == rows:
        return
    with conn.transaction():
        conn.execute("DELETE FROM audit.source_catalog")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit.source_catalog (source, period, report, watched, load_rank)"
                " VALUES (%s, %s, %s, %s, %s)", rows)


def _seed_regions(conn: psycopg.Connection) -> None:
    if conn.execute("SELECT 1 FROM raw.wilayah LIMIT 1").fetchone():
        return
    from monev.referensi.regions import data_path

    seed = data_path("wilayah.csv")
    if not seed.is_file():
        return
    with conn.transaction(), conn.cursor() as cur, cur.copy(
        "COPY raw.wilayah (kode, kode_tanpa_titik, nama, tingkat, kode_provinsi)"
        " FROM STDIN WITH (FORMAT csv, HEADER true)"
    ) as copy:
        copy.write(seed.read_bytes())

"""audit.load_batches: every read and write of the load history, the per-batch lock
that tells a live load from an interrupted one, and the recovery of interrupted ones."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from monev.records import RuleFailure
from monev.sources.spec import SourceFile

log = logging.getLogger(__name__)

# Session-level advisory lock (namespace, batch_id) held by the process loading a batch:
# a 'running' batch whose lock nobody holds was interrupted (kill -9, a crash).
_LOCK = "SELECT pg_advisory_lock(hashtext('monev:batch'), %s::int)"
_UNLOCK = "SELECT pg_advisory_unlock(hashtext('monev:batch'), %s::int)"
_FREE = "SELECT pg_try_advisory_lock(hashtext('monev:batch'), %s::int)"


@dataclass(frozen=True)
class InForce:
    batch_id: int
    revision: int
    sha256: str


def start(conn: psycopg.Connection, sf: SourceFile, sha256: str, size: int) -> int:
    """A 'running' batch row for the file, its lock held by this session. The row
    becomes visible with the lock already held, so a concurrent recovery never takes a
    starting load for a dead one."""
    with conn.transaction():
        batch_id = conn.execute(
            "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes,"
            " revision) VALUES (%s, %s, %s, %s, %s, %s) RETURNING batch_id",
            (sf.source, sf.period_key, sf.path.name, sha256, size, sf.revision),
        ).fetchone()[0]
        conn.execute(_LOCK, (batch_id,))
    return batch_id


def unknown_seen(conn: psycopg.Connection, file_name: str, sha256: str, size: int,
                 reason: str, kept_path: str | None) -> None:
    """Record a file of unknown name in audit.unknown_files — not a load batch, so it is
    in no period's record — one row per name and content however often it is offered.
    `file_name` is the escaped name (`intake.shown`)."""
    conn.execute(
        "INSERT INTO audit.unknown_files (file_name, sha256, bytes, reason, kept_path)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (file_name, sha256) DO UPDATE"
        " SET last_seen = now(), times_seen = audit.unknown_files.times_seen + 1,"
        " kept_path = coalesce(EXCLUDED.kept_path, audit.unknown_files.kept_path)",
        (file_name, sha256, size, reason, kept_path))


def name_reused(conn: psycopg.Connection, sf: SourceFile, sha256: str) -> tuple[int, str] | None:
    """(batch_id, sha256) of an earlier batch of the same file name with other bytes: the
    contract gives every delivery its own name (a correction is a new `_revN`), so other
    bytes under a name already seen are a file replaced in place. Reference files are
    re-delivered under their one name by design and are never a conflict."""
    if sf.is_referensi:
        return None
    # the name belongs to the bytes it first came with (a later conflict does not move
    # it); a dry run (`validated`) binds nothing
    first = conn.execute(
        "SELECT batch_id, sha256 FROM audit.load_batches WHERE file_name = %s"
        " AND source = %s AND status <> 'validated' ORDER BY batch_id LIMIT 1",
        (sf.path.name, sf.source)).fetchone()
    return first if first and first[1] != sha256 else None


def archived(conn: psycopg.Connection, batch_id: int, path: str) -> None:
    conn.execute("UPDATE audit.load_batches SET archived_path = %s WHERE batch_id = %s",
                 (path, batch_id))


def release(conn: psycopg.Connection, batch_id: int) -> None:
    try:
        conn.execute(_UNLOCK, (batch_id,))
    except psycopg.Error as e:
        log.warning("lock of batch %s not released: %s", batch_id, type(e).__name__)


def in_force(conn: psycopg.Connection, sf: SourceFile) -> InForce | None:
    """The delivery in force for the file's source and period."""
    row = conn.execute(
        "SELECT batch_id, revision, sha256 FROM audit.load_batches WHERE source = %s"
        " AND period_key = %s AND status = 'loaded' ORDER BY revision DESC, batch_id DESC"
        " LIMIT 1", (sf.source, sf.period_key)).fetchone()
    return InForce(*row) if row else None


def previous_delivery(conn: psycopg.Connection, sf: SourceFile) -> tuple[int, str, int] | None:
    """(batch_id, period_key, rows) of the delivery the file follows: the one in force for
    the same period, else the latest earlier period's."""
    return conn.execute(
        "SELECT batch_id, period_key, rows FROM audit.load_batches WHERE source = %s"
        " AND status = 'loaded' AND period_key <= %s"
        " ORDER BY period_key DESC, revision DESC, batch_id DESC LIMIT 1",
        (sf.source, sf.period_key)).fetchone()


def staged(conn: psycopg.Connection, batch_id: int, rows: int) -> None:
    conn.execute("UPDATE audit.load_batches SET rows = %s, parsed_at = now(), staged_at = now()"
                 " WHERE batch_id = %s", (rows, batch_id))


def validated(conn: psycopg.Connection, batch_id: int) -> None:
    conn.execute("UPDATE audit.load_batches SET validated_at = now() WHERE batch_id = %s",
                 (batch_id,))


def outranked(conn: psycopg.Connection, batch_id: int, by: int) -> None:
    conn.execute("UPDATE audit.load_batches SET superseded_by = %s WHERE batch_id = %s",
                 (by, batch_id))


def mark_published(conn: psycopg.Connection, sf: SourceFile, batch_id: int) -> None:
    """Inside the publish transaction: the batch is in force, the one before superseded."""
    conn.execute(
        "UPDATE audit.load_batches SET status = 'superseded', superseded_by = %s"
        " WHERE source = %s AND period_key = %s AND status = 'loaded' AND batch_id <> %s",
        (batch_id, sf.source, sf.period_key, batch_id))
    conn.execute("UPDATE audit.load_batches SET status = 'loaded', published_at = now()"
                 " WHERE batch_id = %s", (batch_id,))


def finish(
    conn: psycopg.Connection, batch_id: int, status: str, rows: int,
    errors: list[RuleFailure], warnings: list[RuleFailure], kept_path: str | None,
    published: bool,
) -> None:
    """The batch's final status (kept as published when it was), reasons and warnings."""
    conn.execute(
        "UPDATE audit.load_batches SET status = CASE WHEN %s THEN status ELSE %s END,"
        " rows = coalesce(%s, rows), reasons = %s, warnings = %s, kept_path = %s,"
        " finished_at = now() WHERE batch_id = %s",
        (published, status, rows or None, Jsonb([f.as_json() for f in errors]),
         Jsonb([f.as_json() for f in warnings]), kept_path, batch_id))


def loaded_before(conn: psycopg.Connection, source: str) -> bool:
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM audit.load_batches WHERE source = %s"
        " AND status IN ('loaded', 'superseded'))", (source,)).fetchone()[0]


def recover_interrupted(conn: psycopg.Connection) -> list[int]:
    """Mark batches left 'running' by a process that died as failed (with why), and drop
    the staging tables no live load owns. Safe while other loads run: a live load holds
    its batch's lock."""
    from monev.ingest.stage import drop

    recovered = []
    for (batch_id,) in conn.execute(
            "SELECT batch_id FROM audit.load_batches WHERE status = 'running'").fetchall():
        if not conn.execute(_FREE, (batch_id,)).fetchone()[0]:
            continue  # its loader is alive
        why = RuleFailure("ingest.interrupted", "error",
                          "the load was interrupted before it finished (the loading process or "
                          "the database stopped); nothing of it was published — deliver the "
                          "file again or re-run the ingest")
        conn.execute(
            "UPDATE audit.load_batches SET status = 'failed', reasons = %s, finished_at = now()"
            " WHERE batch_id = %s AND status = 'running'", (Jsonb([why.as_json()]), batch_id))
        conn.execute(_UNLOCK, (batch_id,))
        recovered.append(batch_id)
        log.warning("batch %s was interrupted earlier: marked failed", batch_id)
    for (table,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'stage' AND c.relkind IN ('r', 'p')").fetchall():
        m = re.search(r"__b(\d+)$", table)
        if m is None:
            continue
        owner = int(m.group(1))
        if conn.execute(_FREE, (owner,)).fetchone()[0]:
            conn.execute(_UNLOCK, (owner,))
            drop(conn, f"stage.{table}")
    return recovered


def recent_batches(limit: int = 30) -> list[dict[str, Any]]:
    from monev.warehouse import db

    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT batch_id, source, period_key, file_name, revision, rows, status,"
            " reasons, warnings, superseded_by, started_at, finished_at"
            " FROM audit.load_batches ORDER BY batch_id DESC LIMIT %s", (limit,))
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

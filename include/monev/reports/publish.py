"""Write-audit-publish for report documents: a period's sets (a month's, a semester's) are
rendered into a staging folder inside the archive root and appear in the archive all at
once.

`<root>/.staging/<run id>/<folder>/` starts as hard links to the period's archived files
(earlier revisions stay comparable; links cost no space) minus the sets about to be
rendered, receives the new documents, and replaces `<root>/<folder>/` in one
`renameat2(RENAME_EXCHANGE)` once the audit rows are written — same filesystem, so
readers of the archive or the site see the old period or the new one, never a mixture.

A build holds a session advisory lock per `audit.report_runs` row it is building (as
ingest does per load batch): a `building` row whose lock nobody holds was interrupted
(kill -9, a crash) and is marked failed by the next build, which also removes the
staging folders no live build owns.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
from pathlib import Path

import psycopg

from monev.reports import names

log = logging.getLogger(__name__)

STAGING = ".staging"
INTERRUPTED = ("the report build was interrupted before it finished (the process or the"
               " database stopped); nothing of it was published — run the report again")

_LOCK = "SELECT pg_advisory_lock(hashtext('monev:report'), %s::int)"
_UNLOCK = "SELECT pg_advisory_unlock(hashtext('monev:report'), %s::int)"
_FREE = "SELECT pg_try_advisory_lock(hashtext('monev:report'), %s::int)"
# one publisher per archive folder at a time: the exchange must not drop another build's
# sets (keyed by the folder's name, whatever the report kind)
_FOLDER_LOCK = "SELECT pg_advisory_lock(hashtext('monev:report-folder'), hashtext(%s))"
_FOLDER_UNLOCK = "SELECT pg_advisory_unlock(hashtext('monev:report-folder'), hashtext(%s))"


def start_run(conn: psycopg.Connection, periode, scope: str, revision: int,
              message: str | None) -> int:
    """A `building` row for one set, its lock held by this session. Row and lock
    become visible together, so a concurrent recovery never takes a starting build
    for a dead one."""
    with conn.transaction():
        run_id = conn.execute(
            "INSERT INTO audit.report_runs (periode, scope, revision, message)"
            " VALUES (%s, %s, %s, %s) RETURNING run_id",
            (periode, scope, revision, message)).fetchone()[0]
        conn.execute(_LOCK, (run_id,))
    return run_id


def release(conn: psycopg.Connection, run_ids: list[int]) -> None:
    for run_id in run_ids:
        try:
            conn.execute(_UNLOCK, (run_id,))
        except psycopg.Error as e:
            log.warning("lock of report run %s not released: %s", run_id, type(e).__name__)


def _free(conn: psycopg.Connection, run_id: int) -> bool:
    if conn.execute(_FREE, (run_id,)).fetchone()[0]:
        conn.execute(_UNLOCK, (run_id,))
        return True
    return False


def recover_interrupted(conn: psycopg.Connection, root: Path) -> list[int]:
    """Mark `building` rows whose builder died as failed, and remove staging folders no
    live build owns. Safe while other builds run: a live build holds its rows' locks."""
    recovered = []
    for (run_id,) in conn.execute(
            "SELECT run_id FROM audit.report_runs WHERE status = 'building'"
            " ORDER BY run_id").fetchall():
        if not _free(conn, run_id):
            continue
        conn.execute(
            "UPDATE audit.report_runs SET status = 'failed', message = %s,"
            " finished_at = now() WHERE run_id = %s AND status = 'building'",
            (INTERRUPTED, run_id))
        recovered.append(run_id)
    if recovered:
        log.warning("report run(s) %s were interrupted earlier: marked failed",
                    ", ".join(map(str, recovered)))
    staging = root / STAGING
    if staging.is_dir():
        for folder in staging.iterdir():
            if not folder.name.isdigit() or _free(conn, int(folder.name)):
                shutil.rmtree(folder, ignore_errors=True)
    return recovered


def _link_file(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a filesystem without hard links: a copy, same result
        shutil.copy2(src, dst)


def _link(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, copy_function=_link_file)
    else:
        _link_file(str(src), str(dst))


def _link_missing(archived: Path, staged: Path, skip: set[str]) -> None:
    """Hard-link every archived entry the staged folder lacks (and is not about to
    render)."""
    for entry in archived.iterdir():
        if entry.name in skip or (staged / entry.name).exists():
            continue
        _link(entry, staged / entry.name)


def prepare(root: Path, run_id: int, folder: str, stems: list[str]) -> Path:
    """The staging folder for a build: the archived folder's files except the sets
    `stems` that this build renders anew."""
    staged = root / STAGING / str(run_id) / folder
    if staged.parent.exists():
        shutil.rmtree(staged.parent)
    staged.mkdir(parents=True)
    archived = root / folder
    if archived.is_dir():
        _link_missing(archived, staged, {e for s in stems for e in names.entries(s)})
    return staged


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if the
    system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def publish(conn: psycopg.Connection, root: Path, staged: Path,
            failed_stems: list[str]) -> None:
    """Move the staged folder into the archive in one step. Sets that failed to render
    are dropped from it (their earlier archived files, if any, stay as they were)."""
    for stem in failed_stems:
        for name in names.entries(stem):
            p = staged / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    folder = staged.name
    archived = root / folder
    conn.execute(_FOLDER_LOCK, (folder,))
    try:
        if archived.is_dir():
            # whatever another build published meanwhile, and what failed here
            _link_missing(archived, staged, set())
            if not _exchange(staged, archived):
                old = staged.with_name(staged.name + ".old")
                os.rename(archived, old)
                os.rename(staged, archived)
                staged = old
            shutil.rmtree(staged)  # now the folder as it was before
        else:
            os.rename(staged, archived)
    finally:
        conn.execute(_FOLDER_UNLOCK, (folder,))


def discard(root: Path, run_id: int) -> None:
    shutil.rmtree(root / STAGING / str(run_id), ignore_errors=True)

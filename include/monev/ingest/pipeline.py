"""One delivered file → audit row → stage (COPY) → quality gate → publish, or a
precise rejection. Every step is transactional: whatever fails, the previously
published data of that source and period stays exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Jsonb

from monev.config import settings
from monev.ingest.batch import GateOutcome, RuleFailure, StagedBatch
from monev.ingest.parsers import Parser, parser_for, run_parser
from monev.reference.regions import data_path
from monev.sources.common import Failures
from monev.sources.registry import SourceFile, UnknownFile, identify

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Shipped reference files loaded on first use when their raw table is still empty.
BOOTSTRAP_REFERENCE = ("wilayah_perubahan", "wilayah_bps")
PERSONAL_SOURCES = frozenset({"peserta_rentan"})


@dataclass
class IngestResult:
    batch_id: int | None
    source: str
    period_key: str
    file_name: str
    revision: int
    status: str  # one of batch.BATCH_STATUSES
    rows: int = 0
    errors: list[RuleFailure] = field(default_factory=list)
    warnings: list[RuleFailure] = field(default_factory=list)
    kept_path: Path | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # stage | gate | publish, seconds

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "superseded", "stale", "duplicate", "validated")


class WarehouseLost(RuntimeError):
    """The connection to the warehouse broke in the middle of a load."""


# Session-level advisory lock (namespace, batch_id) held by the process loading a batch:
# a 'running' batch whose lock nobody holds was interrupted (kill -9, a crash).
_BATCH_LOCK = "SELECT pg_advisory_lock(hashtext('monev:batch'), %s::int)"
_BATCH_UNLOCK = "SELECT pg_advisory_unlock(hashtext('monev:batch'), %s::int)"
_BATCH_FREE = "SELECT pg_try_advisory_lock(hashtext('monev:batch'), %s::int)"
# A delivery with at most this share of the rows of the one it follows is published
# (it passed every rule) with a warning for the operators: half a list is usually an
# export cut short.
ROW_DROP_WARN_SHARE = 0.5


class _Superseded(Exception):
    def __init__(self, by: int):
        self.by = by


# Test seam: called inside the publish transaction after the old period was removed
# and the new rows are in. A failure here must leave the old data intact.
def _after_replace(conn: psycopg.Connection, batch: StagedBatch) -> None:
    return None


def run_gate(conn: psycopg.Connection, batch: StagedBatch) -> GateOutcome:
    # Imported late: GX is heavy, and a missing gate must fail the batch, not pass it.
    from monev.quality.gate import run_gate as gate

    return gate(conn, batch)


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not _ignored(f, p)))
        else:
            out.append(p)
    return out


def _ignored(f: Path, root: Path) -> bool:
    # Hidden files and the generator's bad/MANIFEST.json are not deliveries; anything
    # else is, and an unknown name is rejected with its reason.
    rel = f.relative_to(root).parts
    return any(part.startswith(".") for part in rel) or f.name == "MANIFEST.json"


def _order(p: Path) -> tuple:
    try:
        return (0, *identify(p).sort_key)
    except UnknownFile:
        return (1, 0, 0, "", 0, p.name)


def ingest_paths(
    paths: Iterable[Path], *, publish: bool = True, progress: Progress | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Ingest files and directories (expanded recursively): reference files first, then
    by source, period and revision, so a batch of deliveries lands in a sane order."""
    from monev.warehouse import db

    files = sorted(expand(paths), key=_order)
    results = []
    with db.connect(autocommit=True) as conn:
        recover_interrupted(conn)
        ensure_reference(conn)
        for f in files:
            r = _ingest(conn, f, publish=publish, progress=progress)
            results.append(r)
            if on_result:
                on_result(r)
    return results


def ingest_file(
    path: Path, *, publish: bool = True, progress: Progress | None = None
) -> IngestResult:
    from monev.warehouse import db

    with db.connect(autocommit=True) as conn:
        recover_interrupted(conn)
        ensure_reference(conn)
        return _ingest(conn, Path(path), publish=publish, progress=progress)


def recover_interrupted(conn: psycopg.Connection) -> list[int]:
    """Mark batches left 'running' by a process that died as failed (with why), and drop
    the staging tables no live load owns. Safe while other loads run: a live load holds
    its batch's advisory lock."""
    recovered = []
    for (batch_id,) in conn.execute(
            "SELECT batch_id FROM audit.load_batches WHERE status = 'running'").fetchall():
        if not conn.execute(_BATCH_FREE, (batch_id,)).fetchone()[0]:
            continue  # its loader is alive
        why = RuleFailure("ingest.interrupted", "error",
                          "the load was interrupted before it finished (the loading process or "
                          "the database stopped); nothing of it was published — deliver the "
                          "file again or re-run the ingest")
        conn.execute(
            "UPDATE audit.load_batches SET status = 'failed', reasons = %s, finished_at = now()"
            " WHERE batch_id = %s AND status = 'running'", (Jsonb([why.as_json()]), batch_id))
        conn.execute(_BATCH_UNLOCK, (batch_id,))
        recovered.append(batch_id)
        log.warning("batch %s was interrupted earlier: marked failed", batch_id)
    for (table,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'stage' AND c.relkind IN ('r', 'p')").fetchall():
        m = re.search(r"__b(\d+)$", table)
        if m is None:
            continue
        owner = int(m.group(1))
        if conn.execute(_BATCH_FREE, (owner,)).fetchone()[0]:
            conn.execute(_BATCH_UNLOCK, (owner,))
            _drop(conn, f"stage.{table}")
    return recovered


def ensure_reference(conn: psycopg.Connection) -> list[IngestResult]:
    """Load the shipped region-change and BPS-bridge files if nothing is loaded yet."""
    out = []
    for source in BOOTSTRAP_REFERENCE:
        empty = conn.execute(
            sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.Identifier("raw", source))
        ).fetchone()[0]
        tried = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM audit.load_batches WHERE source = %s "
            "AND status IN ('loaded', 'superseded'))", (source,)
        ).fetchone()[0]
        shipped = data_path(f"{source}.csv")
        if empty and not tried and shipped.exists():
            out.append(_ingest(conn, shipped, publish=True, progress=None))
    return out


def _ingest(
    conn: psycopg.Connection, path: Path, *, publish: bool, progress: Progress | None
) -> IngestResult:
    started = time.perf_counter()
    try:
        sf = identify(path)
    except UnknownFile as e:
        return _reject_unknown(conn, path, str(e), started)
    sha, size = file_digest(path)
    # The batch row becomes visible with its lock already held, so a concurrent
    # recover_interrupted never takes a starting load for a dead one.
    with conn.transaction():
        batch_id = conn.execute(
            "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes,"
            " revision) VALUES (%s, %s, %s, %s, %s, %s) RETURNING batch_id",
            (sf.source, sf.period_key, path.name, sha, size, sf.revision),
        ).fetchone()[0]
        conn.execute(_BATCH_LOCK, (batch_id,))
    result = IngestResult(batch_id, sf.source, sf.period_key, path.name, sf.revision, "running")
    stage = f"stage.{sf.source}__b{batch_id}"
    try:
        if publish:
            in_force = _in_force(conn, sf)
            if in_force and in_force[2] == sha:
                # Duplicate means: these bytes are already the delivery in force for this
                # period. The same bytes as a replaced or rejected batch load as usual (a
                # good delivery re-sent after a bad revision restores it).
                result.warnings.append(RuleFailure(
                    "ingest.duplicate", "warning",
                    f"{path.name}: identical to batch {in_force[0]}, the delivery in force for "
                    f"{sf.period_key} (same sha256); nothing to do"))
                return _finish(conn, result, "duplicate", started)
            if in_force and not sf.is_reference and sf.revision <= in_force[1]:
                return _stale(conn, result, in_force, started)
        parser = parser_for(sf.source)
        failures = Failures(sf.source, path.name)
        t = time.perf_counter()
        rows = _stage(conn, parser, sf, batch_id, stage, failures, progress)
        result.rows = rows
        result.timings["stage"] = time.perf_counter() - t
        conn.execute(
            "UPDATE audit.load_batches SET rows = %s, parsed_at = now(), staged_at = now()"
            " WHERE batch_id = %s", (rows, batch_id))
        if rows == 0 and not failures:
            failures.add("no_data_rows", None,
                         "the file has no data rows; an empty delivery would erase the period")
        if failures:
            result.errors = failures.as_list()
            return _reject(conn, result, sf, started, keep=publish)
        batch = StagedBatch(batch_id, sf.source, sf.period_key, path.name, stage, rows,
                            periode=sf.periode, tahun=sf.tahun, bulan=sf.bulan, versi=sf.versi)
        t = time.perf_counter()
        outcome = run_gate(conn, batch)
        result.timings["gate"] = time.perf_counter() - t
        conn.execute("UPDATE audit.load_batches SET validated_at = now() WHERE batch_id = %s",
                     (batch_id,))
        result.errors, result.warnings = list(outcome.errors), list(outcome.warnings)
        if not outcome.passed:
            return _reject(conn, result, sf, started, keep=publish)
        drop = _row_drop(conn, sf, rows)
        if drop:
            result.warnings.append(drop)
        if not publish:
            return _finish(conn, result, "validated", started)
        t = time.perf_counter()
        try:
            _publish(conn, parser, sf, batch)
        except _Superseded as s:
            return _stale(conn, result, (s.by, None, None), started)
        result.timings["publish"] = time.perf_counter() - t
        return _finish(conn, result, "loaded", started, published=True)
    except Exception as e:  # any step: record it, keep the previous data, tell the caller
        log.error("ingest of %s failed: %s", path.name, type(e).__name__)
        if publish:
            try:
                result.kept_path = _keep(path, sf.source, batch_id)
            except OSError as keep_error:
                log.error("%s could not be kept: %s", path.name, keep_error)
        if conn.broken or conn.closed:
            raise WarehouseLost(
                f"lost the connection to the warehouse while loading {path.name} (batch "
                f"{batch_id}); nothing of it was published, the file is kept as "
                f"{result.kept_path}; re-run the ingest when the warehouse is back") from None
        result.errors.append(RuleFailure("ingest.failed", "error",
                                         f"{path.name}: ingest failed: {_safe_error(e)}"))
        return _finish(conn, result, "failed", started)
    finally:
        if not (conn.broken or conn.closed):
            _drop(conn, stage)
            with contextlib.suppress(psycopg.Error):
                conn.execute(_BATCH_UNLOCK, (batch_id,))


def _safe_error(e: Exception) -> str:
    # Server errors can quote a row (CONTEXT/DETAIL): keep only the primary message.
    if isinstance(e, psycopg.Error) and e.diag.message_primary:
        return f"{type(e).__name__}: {e.diag.message_primary}"
    return f"{type(e).__name__}: {str(e)[:300]}"


def _in_force(conn: psycopg.Connection, sf: SourceFile) -> tuple[int, int, str] | None:
    """(batch_id, revision, sha256) of the delivery in force for the file's period."""
    row = conn.execute(
        "SELECT batch_id, revision, sha256 FROM audit.load_batches WHERE source = %s"
        " AND period_key = %s AND status = 'loaded' ORDER BY revision DESC, batch_id DESC"
        " LIMIT 1", (sf.source, sf.period_key),
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def _row_drop(conn: psycopg.Connection, sf: SourceFile, rows: int) -> RuleFailure | None:
    """A warning when the delivery has far fewer rows than the one it follows: the
    delivery in force for the same period, else the latest earlier period's."""
    prev = conn.execute(
        "SELECT batch_id, period_key, rows FROM audit.load_batches WHERE source = %s"
        " AND status = 'loaded' AND period_key <= %s"
        " ORDER BY period_key DESC, revision DESC, batch_id DESC LIMIT 1",
        (sf.source, sf.period_key)).fetchone()
    if prev is None or not prev[2] or rows > prev[2] * ROW_DROP_WARN_SHARE:
        return None
    log.warning("%s: %s rows against %s in batch %s", sf.path.name, rows, prev[2], prev[0])
    return RuleFailure(
        "ingest.row_count_drop", "warning",
        f"{sf.path.name}: {rows:,} data rows, against {prev[2]:,} in batch {prev[0]} "
        f"({prev[1]}); published, but check that the export is complete",
        observed={"rows": rows, "previous_rows": prev[2], "previous_batch": prev[0]})


def _stage(
    conn: psycopg.Connection, parser: Parser, sf: SourceFile, batch_id: int, stage: str,
    failures: Failures, progress: Progress | None,
) -> int:
    """Create the batch's staging table like raw.<source> and COPY the parsed rows in,
    streamed: the server types and stores a chunk while the next one is parsed."""
    schema, table = stage.split(".")
    raw_schema, raw_table = parser.table.split(".")
    counter = [0]
    with conn.transaction():
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(
            sql.Identifier(schema, table), sql.Identifier(raw_schema, raw_table)))
        copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, parser.columns)))
        # A worker thread feeds the server while this thread parses the next block.
        with conn.cursor() as cur, cur.copy(copy, writer=QueuedLibpqWriter(cur)) as cp:
            for chunk in run_parser(parser, sf, batch_id, failures, counter, progress):
                cp.write(chunk)
    # Fresh tables have no statistics; the gate's joins and aggregates plan better with them.
    conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
    return counter[0]


def _publish(conn: psycopg.Connection, parser: Parser, sf: SourceFile, batch: StagedBatch) -> None:
    """Replace the source's period in raw in one transaction."""
    raw = sql.Identifier(*parser.table.split("."))
    stage = sql.Identifier(*batch.stage_table.split("."))
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                     (f"monev:{sf.source}:{sf.period_key}",))
        in_force = _in_force(conn, sf)
        if in_force and not sf.is_reference and sf.revision <= in_force[1]:
            raise _Superseded(in_force[0])  # a higher revision won the race
        if sf.source == "peserta_rentan":
            _swap_partition(conn, sf, batch)
        else:
            where, params = _period_filter(sf)
            conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(raw) + where, params)
            conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(raw, stage))
        _after_replace(conn, batch)
        conn.execute(
            "UPDATE audit.load_batches SET status = 'superseded', superseded_by = %s"
            " WHERE source = %s AND period_key = %s AND status = 'loaded' AND batch_id <> %s",
            (batch.batch_id, sf.source, sf.period_key, batch.batch_id))
        conn.execute(
            "UPDATE audit.load_batches SET status = 'loaded', published_at = now()"
            " WHERE batch_id = %s", (batch.batch_id,))


def _period_filter(sf: SourceFile) -> tuple[sql.Composable, tuple]:
    if sf.is_reference:
        return sql.SQL("true"), ()
    if sf.source == "kepesertaan":
        return sql.SQL("periode = %s"), (sf.periode,)
    if sf.source == "anggaran":
        return sql.SQL("tahun = %s AND versi = %s"), (sf.tahun, sf.versi)
    if sf.source == "realisasi":
        return sql.SQL("tahun = %s AND bulan = %s"), (sf.tahun, sf.bulan)
    raise KeyError(sf.source)


def partition_name(sf: SourceFile) -> str:
    assert sf.periode is not None
    return f"peserta_rentan_p{sf.periode:%Y%m}"


def _swap_partition(conn: psycopg.Connection, sf: SourceFile, batch: StagedBatch) -> None:
    """Detach and drop the period's partition, attach the staging table in its place.
    The CHECK constraint proves the partition bound, so ATTACH does not rescan."""
    part = partition_name(sf)
    value = sf.periode.isoformat()
    stage_schema, stage_table = batch.stage_table.split(".")
    old = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
        " WHERE n.nspname = 'raw' AND p.relname = 'peserta_rentan'"
        " AND pg_get_expr(c.relpartbound, c.oid) = %s",
        (f"FOR VALUES IN ('{value}')",),
    ).fetchall()
    for (name,) in old:
        conn.execute(sql.SQL("ALTER TABLE raw.peserta_rentan DETACH PARTITION {}").format(
            sql.Identifier("raw", name)))
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier("raw", name)))
    st = sql.Identifier(stage_schema, stage_table)
    conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK (periode = {})").format(
        st, sql.Identifier(f"{part}_bound"), sql.Literal(value)))
    conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA raw").format(st))
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
        sql.Identifier("raw", stage_table), sql.Identifier(part)))
    conn.execute(sql.SQL("ALTER TABLE raw.peserta_rentan ATTACH PARTITION {} FOR VALUES IN ({})")
                 .format(sql.Identifier("raw", part), sql.Literal(value)))
    conn.execute(sql.SQL("GRANT SELECT ON {} TO monev_transformer").format(
        sql.Identifier("raw", part)))


def _drop(conn: psycopg.Connection, stage: str) -> None:
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
            sql.Identifier(*stage.split("."))))
    except psycopg.Error as e:
        log.warning("staging table %s not dropped: %s", stage, type(e).__name__)


def _finish(
    conn: psycopg.Connection, result: IngestResult, status: str, started: float,
    published: bool = False,
) -> IngestResult:
    result.status = status
    result.seconds = time.perf_counter() - started
    if result.batch_id is not None:
        conn.execute(
            "UPDATE audit.load_batches SET status = CASE WHEN %s THEN status ELSE %s END,"
            " rows = coalesce(%s, rows), reasons = %s, warnings = %s, kept_path = %s,"
            " finished_at = now() WHERE batch_id = %s",
            (published, status, result.rows or None,
             Jsonb([f.as_json() for f in result.errors]),
             Jsonb([f.as_json() for f in result.warnings]),
             str(result.kept_path) if result.kept_path else None, result.batch_id),
        )
    log.info("%s: %s (%s rows)", result.file_name, status, result.rows)
    return result


def _stale(
    conn: psycopg.Connection, result: IngestResult, in_force: tuple[int, int | None, str | None],
    started: float,
) -> IngestResult:
    result.warnings.append(RuleFailure(
        "ingest.revision", "warning",
        f"{result.file_name}: revision {result.revision} is not above the revision in force "
        f"(batch {in_force[0]}); kept on record, never published"))
    conn.execute("UPDATE audit.load_batches SET superseded_by = %s WHERE batch_id = %s",
                 (in_force[0], result.batch_id))
    return _finish(conn, result, "stale", started)


def _keep(path: Path, source: str, batch_id: int | None) -> Path:
    """Copy a rejected file byte for byte where only the pipeline's operators can read it."""
    root = settings().rejected_dir
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for d in (root, folder):
        os.chmod(d, 0o700)
    dest = folder / f"{batch_id}__{path.name}"
    shutil.copyfile(path, dest)
    os.chmod(dest, 0o600 if source in PERSONAL_SOURCES else 0o640)
    return dest


def _reject(
    conn: psycopg.Connection, result: IngestResult, sf: SourceFile, started: float, keep: bool
) -> IngestResult:
    if keep:
        result.kept_path = _keep(sf.path, sf.source, result.batch_id)
    return _finish(conn, result, "rejected", started)


def _reject_unknown(conn: psycopg.Connection, path: Path, reason: str, started: float
                    ) -> IngestResult:
    sha, size = file_digest(path)
    batch_id = conn.execute(
        "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes)"
        " VALUES ('unknown', 'unknown', %s, %s, %s) RETURNING batch_id",
        (path.name, sha, size),
    ).fetchone()[0]
    result = IngestResult(batch_id, "unknown", "unknown", path.name, 0, "rejected")
    result.errors.append(RuleFailure("ingest.unknown_file", "error", reason))
    result.kept_path = _keep(path, "unknown", batch_id)
    return _finish(conn, result, "rejected", started)


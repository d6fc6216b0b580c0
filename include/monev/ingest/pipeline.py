"""One delivered file → audit row → stage (COPY) → quality gate → publish, or a
precise rejection. Every step is transactional: whatever fails, the previously
published data of that source and period stays exactly as it was."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from monev.ingest import audit, publish, rejected, stage
from monev.records import GateOutcome, RuleFailure, StagedBatch
from monev.referensi.regions import data_path
from monev.sources.common import Failures
from monev.sources.registry import UnknownFile, identify, sort_key
from monev.sources.spec import SourceFile

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Shipped reference files loaded on first use when their raw table is still empty.
BOOTSTRAP_REFERENCE = ("wilayah_perubahan", "wilayah_bps")
# A delivery with at most this share of the rows of the one it follows is published
# (it passed every rule) with a warning for the operators: half a list is usually an
# export cut short.
ROW_DROP_WARN_SHARE = 0.5


@dataclass
class IngestResult:
    batch_id: int | None
    source: str
    period_key: str
    file_name: str
    revision: int
    status: str  # one of records.BATCH_STATUSES
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
        return (0, *sort_key(identify(p)))
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
        audit.recover_interrupted(conn)
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
        audit.recover_interrupted(conn)
        ensure_reference(conn)
        return _ingest(conn, Path(path), publish=publish, progress=progress)


def ensure_reference(conn: psycopg.Connection) -> list[IngestResult]:
    """Load the shipped region-change and BPS-bridge files if nothing is loaded yet."""
    out = []
    for source in BOOTSTRAP_REFERENCE:
        empty = not conn.execute(f"SELECT EXISTS (SELECT 1 FROM raw.{source})").fetchone()[0]
        shipped = data_path(f"{source}.csv")
        if empty and not audit.loaded_before(conn, source) and shipped.exists():
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
    try:
        sha, size = file_digest(path)
    except OSError as e:  # vanished, unreadable: say so, go on with the other files
        result = IngestResult(None, sf.source, sf.period_key, path.name, sf.revision, "failed")
        result.errors.append(RuleFailure(
            "ingest.file_unreadable", "error",
            f"{path.name}: the file cannot be read ({type(e).__name__}: {e.strerror})"))
        log.error("%s cannot be read: %s", path.name, e.strerror)
        return _finish(conn, result, "failed", started)
    batch_id = audit.start(conn, sf, sha, size)
    result = IngestResult(batch_id, sf.source, sf.period_key, path.name, sf.revision, "running")
    table = stage.table_name(sf.source, batch_id)
    try:
        return _steps(conn, sf, sha, result, table, publish, progress, started)
    except Exception as e:  # any step: record it, keep the previous data, tell the caller
        log.error("ingest of %s failed: %s", path.name, type(e).__name__)
        if publish:
            try:
                result.kept_path = rejected.keep(path, sf.source, batch_id)
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
            stage.drop(conn, table)
            audit.release(conn, batch_id)


def _steps(
    conn: psycopg.Connection, sf: SourceFile, sha: str, result: IngestResult, table: str,
    publish_: bool, progress: Progress | None, started: float,
) -> IngestResult:
    """The sequence for one identified file; each step returns early with its verdict."""
    batch_id = result.batch_id
    assert batch_id is not None
    if publish_:
        in_force = audit.in_force(conn, sf)
        if in_force and in_force.sha256 == sha:
            # Duplicate means: these bytes are already the delivery in force for this
            # period. The same bytes as a replaced or rejected batch load as usual (a good
            # delivery re-sent after a bad revision restores it).
            result.warnings.append(RuleFailure(
                "ingest.duplicate", "warning",
                f"{sf.path.name}: identical to batch {in_force.batch_id}, the delivery in "
                f"force for {sf.period_key} (same sha256); nothing to do"))
            return _finish(conn, result, "duplicate", started)
        if in_force and not sf.is_referensi and sf.revision <= in_force.revision:
            return _stale(conn, result, in_force.batch_id, started)

    failures = Failures(sf.source, sf.path.name)
    t = time.perf_counter()
    staged = stage.stage(conn, sf, batch_id, failures, progress)
    result.rows = staged.rows
    result.timings["stage"] = time.perf_counter() - t
    audit.staged(conn, batch_id, result.rows)
    if result.rows == 0 and not failures:
        failures.add("no_data_rows", None,
                     "the file has no data rows; an empty delivery would erase the period")
    if failures:
        result.errors = failures.as_list()
        return _reject(conn, result, sf, started, keep=publish_)

    batch = StagedBatch(batch_id, sf.source, sf.period_key, sf.path.name, table, result.rows,
                        periode=sf.periode, tahun=sf.tahun, bulan=sf.bulan, versi=sf.versi,
                        profile_table=staged.profile_table,
                        grain_candidates=staged.grain_candidates)
    t = time.perf_counter()
    outcome = run_gate(conn, batch)
    result.timings["gate"] = time.perf_counter() - t
    audit.validated(conn, batch_id)
    result.errors, result.warnings = list(outcome.errors), list(outcome.warnings)
    if not outcome.passed:
        return _reject(conn, result, sf, started, keep=publish_)
    if drop := _row_drop(conn, sf, result.rows):
        result.warnings.append(drop)
    if not publish_:
        return _finish(conn, result, "validated", started)

    t = time.perf_counter()
    try:
        publish.publish(conn, sf, batch)
    except publish.Superseded as s:
        return _stale(conn, result, s.by, started)
    result.timings["publish"] = time.perf_counter() - t
    return _finish(conn, result, "loaded", started, published=True)


def _safe_error(e: Exception) -> str:
    # Server errors can quote a row (CONTEXT/DETAIL): keep only the primary message.
    if isinstance(e, psycopg.Error) and e.diag.message_primary:
        return f"{type(e).__name__}: {e.diag.message_primary}"
    return f"{type(e).__name__}: {str(e)[:300]}"


def _row_drop(conn: psycopg.Connection, sf: SourceFile, rows: int) -> RuleFailure | None:
    """A warning when the delivery has far fewer rows than the one it follows."""
    prev = audit.previous_delivery(conn, sf)
    if prev is None or not prev[2] or rows > prev[2] * ROW_DROP_WARN_SHARE:
        return None
    log.warning("%s: %s rows against %s in batch %s", sf.path.name, rows, prev[2], prev[0])
    return RuleFailure(
        "ingest.row_count_drop", "warning",
        f"{sf.path.name}: {rows:,} data rows, against {prev[2]:,} in batch {prev[0]} "
        f"({prev[1]}); published, but check that the export is complete",
        observed={"rows": rows, "previous_rows": prev[2], "previous_batch": prev[0]})


def _finish(
    conn: psycopg.Connection, result: IngestResult, status: str, started: float,
    published: bool = False,
) -> IngestResult:
    result.status = status
    result.seconds = time.perf_counter() - started
    if result.batch_id is not None:
        audit.finish(conn, result.batch_id, status, result.rows, result.errors,
                     result.warnings, str(result.kept_path) if result.kept_path else None,
                     published)
    log.info("%s: %s (%s rows)", result.file_name, status, result.rows)
    return result


def _stale(conn: psycopg.Connection, result: IngestResult, in_force: int, started: float
           ) -> IngestResult:
    result.warnings.append(RuleFailure(
        "ingest.revision", "warning",
        f"{result.file_name}: revision {result.revision} is not above the revision in force "
        f"(batch {in_force}); kept on record, never published"))
    assert result.batch_id is not None
    audit.outranked(conn, result.batch_id, in_force)
    return _finish(conn, result, "stale", started)


def _reject(conn: psycopg.Connection, result: IngestResult, sf: SourceFile, started: float,
            keep: bool) -> IngestResult:
    if keep:
        result.kept_path = rejected.keep(sf.path, sf.source, result.batch_id)
    return _finish(conn, result, "rejected", started)


def _reject_unknown(conn: psycopg.Connection, path: Path, reason: str, started: float
                    ) -> IngestResult:
    sha, size = file_digest(path)
    batch_id = audit.start_unknown(conn, path.name, sha, size)
    result = IngestResult(batch_id, "unknown", "unknown", path.name, 0, "rejected")
    result.errors.append(RuleFailure("ingest.unknown_file", "error", reason))
    result.kept_path = rejected.keep(path, "unknown", batch_id)
    return _finish(conn, result, "rejected", started)

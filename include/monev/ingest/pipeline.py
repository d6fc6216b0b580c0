"""One delivered file → audit row → stage (COPY) → quality gate → publish, or a
precise rejection. Every step is transactional: whatever fails, the previously
published data of that source and period stays exactly as it was."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from monev import catalog
from monev.ingest import archive, audit, intake, publish, rejected, stage
from monev.ingest.intake import NotADelivery, shown
from monev.records import GateOutcome, RuleFailure, StagedBatch
from monev.referensi.regions import data_path
from monev.sources.failures import Failures
from monev.sources.registry import UnknownFile, identify, sort_key
from monev.sources.spec import SourceFile

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
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
    """(sha256, size), read without following a link or blocking on a FIFO."""
    return intake.digest(path)


def expand(paths: Iterable[Path]) -> list[Path]:
    """The files of the arguments (folders searched recursively, hidden entries and the
    generator's bad/MANIFEST.json skipped). Links and special files stay in the list: the
    ingest refuses each with its rule (`intake.refusal`) and never opens it. A folder
    named on the command line is entered even if it is a link (the operator chose it)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(f for f, _ in intake.walk(p) if f.name != "MANIFEST.json")
        else:
            out.append(p)
    return out


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
    for source in catalog.SHIPPED:
        empty = not conn.execute(f"SELECT EXISTS (SELECT 1 FROM raw.{source})").fetchone()[0]
        shipped = data_path(f"{source}.csv")
        if empty and not audit.loaded_before(conn, source) and shipped.exists():
            out.append(_ingest(conn, shipped, publish=True, progress=None))
    return out


def _ingest(
    conn: psycopg.Connection, path: Path, *, publish: bool, progress: Progress | None
) -> IngestResult:
    started = time.perf_counter()
    if why := intake.refusal(path):
        return _refuse(path, why, started)
    try:
        sf = identify(path)
    except UnknownFile as e:
        return _reject_unknown(conn, path, str(e), started)
    try:
        # one read: the sha256, and (when publishing) the archive's copy of these bytes
        taken = archive.take(path) if publish else None
        sha, size = (taken.sha256, taken.size) if taken else file_digest(path)
    except NotADelivery as e:  # swapped for a link or a FIFO after the check
        return _refuse(path, e.strerror, started)
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
        return _steps(conn, sf, taken, sha, result, table, publish, progress, started)
    except Exception as e:  # any step: record it, keep the previous data, tell the caller
        log.error("ingest of %s failed: %s", path.name, type(e).__name__)
        if publish:
            try:
                result.kept_path = rejected.keep(path, sf.source, batch_id, sha256=sha)
            except OSError as keep_error:
                log.error("%s could not be kept: %s", path.name,
                          keep_error.strerror or type(keep_error).__name__)
        if conn.broken or conn.closed:
            raise WarehouseLost(
                f"lost the connection to the warehouse while loading {path.name} (batch "
                f"{batch_id}); nothing of it was published, the file is kept as "
                f"{result.kept_path}; re-run the ingest when the warehouse is back") from None
        result.errors.append(RuleFailure("ingest.failed", "error",
                                         f"{path.name}: ingest failed: {_safe_error(e)}"))
        return _finish(conn, result, "failed", started)
    finally:
        archive.discard(taken.part if taken else None)  # a published copy was moved already
        if not (conn.broken or conn.closed):
            stage.drop(conn, table)
            audit.release(conn, batch_id)


def _steps(
    conn: psycopg.Connection, sf: SourceFile, taken: archive.Taken | None, sha: str,
    result: IngestResult, table: str, publish_: bool, progress: Progress | None,
    started: float,
) -> IngestResult:
    """The sequence for one identified file; each step returns early with its verdict."""
    batch_id = result.batch_id
    assert batch_id is not None
    if publish_ and (first := audit.name_reused(conn, sf, sha)):
        result.errors.append(RuleFailure(
            "ingest.name_reused", "error",
            f"{sf.path.name}: other bytes under a name already delivered (batch {first[0]}, "
            f"sha256 {first[1][:12]}…; now {sha[:12]}…): a delivery is never replaced in "
            "place — send a correction as a new revision (…_revN); nothing was loaded"))
        log.info("%s: replaced in place (first delivered as batch %s)", sf.path.name, first[0])
        return _reject(conn, result, sf, started, keep=True)
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
            if taken:
                _archive_again(conn, sf, taken, in_force.batch_id)
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
    # the archive's copy was written when the file was read; the file must still be the
    # one read (so the archive holds the bytes published); it moves into place after the
    # publish: every published delivery is in the archive
    assert taken is not None
    archive.unchanged(sf.path, taken)
    try:
        publish.publish(conn, sf, batch)
    except publish.Superseded as s:
        return _stale(conn, result, s.by, started)
    result.timings["publish"] = time.perf_counter() - t
    audit.archived(conn, batch_id, str(archive.commit(taken.part, sf.path, sha)))
    return _finish(conn, result, "loaded", started, published=True)


def _archive_again(conn: psycopg.Connection, sf: SourceFile, taken: archive.Taken,
                   batch_id: int) -> None:
    """A duplicate of the delivery in force: make sure it is archived (a crash between
    its publish and its archive rename leaves it missing)."""
    try:
        dest = archive.ensure(sf.path, taken)
    except OSError as e:
        log.warning("%s: not archived (%s)", sf.path.name, e.strerror or type(e).__name__)
        return
    if dest is not None:
        audit.archived(conn, batch_id, str(dest))


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
        try:
            result.kept_path = rejected.keep(sf.path, sf.source, result.batch_id)
        except OSError as e:  # the verdict stands; the copy is a courtesy to the sender
            log.error("%s could not be kept: %s", sf.path.name, e.strerror or type(e).__name__)
    return _finish(conn, result, "rejected", started)


def _refuse(path: Path, why: str, started: float) -> IngestResult:
    """A link, FIFO, socket, device or folder where a delivery should be: refused with
    its rule, never opened, nothing recorded for any period."""
    result = IngestResult(None, "-", "-", shown(path.name), 0, "rejected",
                          seconds=time.perf_counter() - started)
    result.errors.append(RuleFailure(intake.RULE, "error", why))
    log.info("%s", why)
    return result


def _reject_unknown(conn: psycopg.Connection, path: Path, reason: str, started: float
                    ) -> IngestResult:
    """A file whose name is not one of the contract's: reported, kept (capped) and
    recorded once per name and content in audit.unknown_files — never a load batch, so
    it is in no period's record and no report."""
    name = shown(path.name)
    reason = name + ": " + reason.removeprefix(f"{path.name}: ")
    result = IngestResult(None, "unknown", "-", name, 0, "rejected")
    result.errors.append(RuleFailure("ingest.unknown_file", "error", reason))
    try:
        sha, size = file_digest(path)
        result.kept_path = rejected.keep(path, rejected.UNKNOWN, sha[:16], sha256=sha,
                                         limit=rejected.UNKNOWN_KEPT_MAX_BYTES)
    except NotADelivery as e:
        return _refuse(path, e.strerror, started)
    except OSError as e:
        result.errors.append(RuleFailure("ingest.file_unreadable", "error",
                                         f"{name}: the file cannot be read ({e.strerror})"))
        result.status = "failed"
        return result
    audit.unknown_seen(conn, name, sha, size, reason, str(result.kept_path))
    result.seconds = time.perf_counter() - started
    log.info("%s", reason)
    return result

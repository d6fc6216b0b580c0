"""What the ingest DAG's tasks do: find new deliveries in the landing location, gate and
load each one (publish → one asset event for its source; duplicate/superseded → skip;
rejected → fail without retry), then announce the burst to the transform once nothing
is left waiting."""

from __future__ import annotations

import logging
from typing import Any

from monev import catalog, periods
from monev.ingest import tracking
from monev.ingest.landing import LandedFile, Landing
from monev.orchestration import callbacks

log = logging.getLogger(__name__)


def _load_order(f: LandedFile) -> tuple:
    return (*catalog.load_order(f.source, f.period_key), f.revision, f.relpath)


def detect(periode: str | None, run_id: str | None) -> list[dict[str, Any]]:
    """Claim every unprocessed file in the landing location (up to `periode` when given)."""
    landing = Landing()
    groups = catalog.LANDING_GROUPS
    files = sorted((f for s in groups for f in tracking.pending(landing, s, periode)),
                   key=_load_order)
    for f in files:
        tracking.claim(landing, f, run_id)
    by_source = {s: sum(f.source == s for f in files) for s in groups}
    log.info("landing %s: %d new file(s) %s", tracking.location_key(landing), len(files),
             {s: n for s, n in by_source.items() if n})
    return [{"relpath": f.relpath, "fingerprint": f.fingerprint, "source": f.source,
             "period_key": f.period_key, "revision": f.revision} for f in files]


def _reasons(failures: list[Any]) -> str:
    return "\n".join(
        f"- {f.rule} [{f.severity}]: {f.message} ({f.row_count} row(s); rows {f.rows[:10]})"
        for f in failures
    )


def load(item: dict[str, Any], batches: Any | None) -> dict[str, Any]:
    """Gate and load one landed file; on publish add one event for its source's asset
    to `batches` (the outlet alias). Returns the event's extra."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from monev.ingest.pipeline import ingest_file
    from monev.orchestration.assets import source_asset

    landing = Landing()
    source = item["source"]
    path = landing.fetch(item["relpath"])  # I/O errors raise here: the task retries
    result = ingest_file(path, publish=True)
    tracking.finish(landing, item["relpath"], item["fingerprint"], result.status, result.batch_id)
    summary = (f"{result.file_name}: {result.status}, batch {result.batch_id}, "
               f"{result.rows} row(s), period {result.period_key}, revision {result.revision}")
    log.info(summary)
    if result.warnings:
        callbacks.on_warning(f"{source} {result.period_key}",
                             summary + "\nWarnings:\n" + _reasons(result.warnings))
    if result.status == "rejected":
        # A broken contract does not heal on retry: fail now, the failure callback tells
        # the engineers; no asset event, so nothing downstream runs on bad data.
        raise AirflowFailException(
            f"{summary}; rejected at the gate, kept at {result.kept_path}\n"
            + _reasons(result.errors)
        )
    if result.status == "failed":
        raise RuntimeError(f"{summary}\n" + _reasons(result.errors))
    if result.status != "loaded":
        # duplicate / superseded by a higher revision: the warehouse did not change
        raise AirflowSkipException(summary)
    monthly = periods.is_month(result.period_key)
    extra = {"source": source, "periode": result.period_key if monthly else None,
             "period_key": result.period_key, "batch_id": result.batch_id,
             "file": result.file_name, "revision": result.revision}
    if batches is not None:
        # built from the name, not looked up: a source added since the DAG was parsed
        batches.add(source_asset(source), extra=extra)
    return extra


def announce(outlet_event: Any | None, run_id: str) -> dict[str, Any]:
    """Once nothing waits in the landing location or the load queue: hand every batch
    loaded since the last announcement to the transform in ONE `monev_landed` event.
    Skipped (no event) when nothing new was loaded or more files are still coming.

    The stamp is committed before Airflow records the event; a retry of the same run
    (the task died in between) announces what that run stamped again, so a crash never
    loses a burst — at worst the transform runs twice, which changes nothing."""
    from airflow.sdk.exceptions import AirflowSkipException

    from monev.readiness.completeness import waiting_files
    from monev.warehouse import db

    waiting = waiting_files()
    if waiting:
        raise AirflowSkipException(
            f"{waiting} file(s) still waiting to be loaded: the next poll announces the burst")
    with db.connect() as conn:
        rows = conn.execute(
            "UPDATE audit.landing_files SET announced_at = now(), announced_run = %s"
            " WHERE status = 'loaded' AND (announced_at IS NULL OR announced_run = %s)"
            " RETURNING source, period_key, batch_id", (run_id, run_id),
        ).fetchall()
        conn.commit()
    if not rows:
        raise AirflowSkipException("nothing new was loaded")
    months = sorted({p for _, p, _ in rows if periods.is_month(p)})
    extra = {"periods": months, "batches": sorted(b for _, _, b in rows),
             "sources": sorted({s for s, _, _ in rows})}
    log.info("announcing %d loaded batch(es) to the transform: sources %s, periods %s",
             len(rows), extra["sources"], months)
    if outlet_event is not None:
        outlet_event.extra = extra
    return extra

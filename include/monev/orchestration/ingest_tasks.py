"""What the ingest DAGs' tasks do: find new deliveries of a source, then gate and load
each one and tell Airflow whether it published (asset event), changed nothing (skip)
or was rejected (fail without retry)."""

from __future__ import annotations

import logging
from typing import Any

from monev.orchestration import callbacks, tracking
from monev.orchestration.landing import Landing

log = logging.getLogger(__name__)


def detect(source: str, periode: str | None, run_id: str | None) -> list[dict[str, Any]]:
    """Claim the source's unprocessed files (up to `periode` when given)."""
    landing = Landing()
    files = tracking.pending(landing, source, periode)
    for f in files:
        tracking.claim(landing, f, run_id)
    log.info("%s: %d new file(s) in the landing location", source, len(files))
    return [{"relpath": f.relpath, "fingerprint": f.fingerprint, "period_key": f.period_key,
             "revision": f.revision} for f in files]


def _reasons(failures: list[Any]) -> str:
    return "\n".join(
        f"- {f.rule} [{f.severity}]: {f.message} ({f.row_count} row(s); rows {f.rows[:10]})"
        for f in failures
    )


def load(source: str, item: dict[str, Any], outlet_event: Any | None) -> dict[str, Any]:
    """Gate and load one landed file. Returns the event extra when it published."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from monev.ingest.pipeline import ingest_file

    landing = Landing()
    path = landing.fetch(item["relpath"])  # I/O errors raise here: the task retries
    result = ingest_file(path, publish=True)
    tracking.finish(landing, item["relpath"], item["fingerprint"], result.status, result.batch_id)
    summary = (f"{result.file_name}: {result.status}, batch {result.batch_id}, "
               f"{result.rows} row(s), revision {result.revision}")
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
    monthly = len(result.period_key) == 7 and result.period_key[4] == "-"
    periode = result.period_key if monthly else None
    extra = {"source": source, "periode": periode, "period_key": result.period_key,
             "batch_id": result.batch_id, "file": result.file_name, "revision": result.revision}
    if outlet_event is not None:
        outlet_event.extra = extra
    return extra

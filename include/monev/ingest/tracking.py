""""Processed once" bookkeeping for landed files (audit.landing_files).

Detection claims new files in one statement (ON CONFLICT DO NOTHING), so two polls that
overlap never pick up the same delivery twice. A file whose load failed for an I/O
reason stays 'failed' and is offered again on the next poll; a rejected file is not —
its sender has to deliver a revision, which is a new file.

A file whose bytes change under the same name gets a new fingerprint (see
`LandedFile`), is offered again and is refused by the pipeline as `ingest.name_reused`
(its sha256 differs from the one recorded for that name): a contract violation that
fails the load task and alerts, never a silent load.
"""

from __future__ import annotations

from monev.ingest.landing import LandedFile, Landing
from monev.warehouse import cluster, db

RETRYABLE = ("claimed", "failed")


def location_key(landing: Landing) -> str:
    url = landing.url
    return cluster.redact(url) if "://" in url and "@" in url else url


def pending(landing: Landing, source: str, periode: str | None = None) -> list[LandedFile]:
    """Files of `source` not yet processed (new, or left claimed/failed by a broken run)."""
    files = [f for f in landing.list(source) if f.up_to(periode)]
    if not files:
        return []
    loc = location_key(landing)
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT relpath, fingerprint, status FROM audit.landing_files WHERE location = %s",
            (loc,),
        ).fetchall()
    done = {(r[0], r[1]) for r in rows if r[2] not in RETRYABLE}
    return [f for f in files if (f.relpath, f.fingerprint) not in done
            and (f.legacy is None or (f.relpath, f.legacy) not in done)]


def claim(landing: Landing, f: LandedFile, run_id: str | None) -> None:
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO audit.landing_files (location, relpath, fingerprint, source, period_key,"
            " revision, run_id) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (location, relpath, fingerprint)"
            " DO UPDATE SET status = 'claimed', run_id = EXCLUDED.run_id, detected_at = now()"
            " WHERE audit.landing_files.status IN ('claimed', 'failed')",
            (location_key(landing), f.relpath, f.fingerprint, f.source, f.period_key,
             f.revision, run_id),
        )
        conn.commit()


def finish(landing: Landing, relpath: str, fingerprint: str, status: str,
           batch_id: int | None) -> None:
    with db.connect() as conn:
        conn.execute(
            "UPDATE audit.landing_files SET status = %s, batch_id = %s, processed_at = now()"
            " WHERE location = %s AND relpath = %s AND fingerprint = %s",
            (status, batch_id, location_key(landing), relpath, fingerprint),
        )
        conn.commit()

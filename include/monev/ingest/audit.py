"""Reading the load history, and the retention of kept rejected files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from monev.config import settings

# Rejected deliveries (peserta_rentan ones hold personal data) are kept this long for
# the senders' correction and then purged (`monev loads --purge-rejected`).
REJECTED_RETENTION_DAYS = 90


def recent_batches(limit: int = 30) -> list[dict[str, Any]]:
    from monev.warehouse import db

    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT batch_id, source, period_key, file_name, revision, rows, status,"
            " reasons, warnings, superseded_by, started_at, finished_at"
            " FROM audit.load_batches ORDER BY batch_id DESC LIMIT %s", (limit,))
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def purge_rejected(days: int = REJECTED_RETENTION_DAYS, now: float | None = None) -> list[Path]:
    """Delete kept rejected files older than `days`; their audit rows stay."""
    root = settings().rejected_dir
    if not root.exists():
        return []
    cutoff = (now or time.time()) - days * 86400
    gone = []
    for f in root.rglob("*"):
        if f.is_file() and f.stat().st_mtime < cutoff:
            f.unlink()
            gone.append(f)
    return gone

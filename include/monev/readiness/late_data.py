"""Late-data watch: has last month's extract been published yet?"""

from __future__ import annotations

from datetime import date

from monev import periods
from monev.config import settings
from monev.periods import previous_month

# Day of the month by which the previous month's extracts must be loaded.
DUE_DAY = settings().extract_due_day
WATCHED = settings().watched_sources


def missing(month_start: date) -> list[str]:
    """Watched sources with no loaded batch for the month before `month_start`. Nothing
    is missing on a warehouse that has never loaded a month: a fresh install has no
    senders to chase yet."""
    from monev.warehouse import db

    periode = previous_month(month_start)
    with db.connect() as conn:
        if not conn.execute("SELECT 1 FROM audit.load_batches WHERE status = 'loaded'"
                            " AND period_key ~ %s LIMIT 1",
                            (periods.MONTH_PARAM_PATTERN,)).fetchone():
            return []
        rows = conn.execute(
            "SELECT DISTINCT source FROM audit.load_batches WHERE period_key = %s"
            " AND status = 'loaded'", (periode,)
        ).fetchall()
    have = {r[0] for r in rows}
    return [s for s in WATCHED if s not in have]

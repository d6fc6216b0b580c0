"""Is a month ready for its report?

A month's report is built once the month is complete — every source the report needs
has a loaded delivery for it (a budget: any version of its year) — or once its due day
has passed (day `MONEV_EXTRACT_DUE_DAY` of the following month), in which case the
report itself says which sources are missing. Never while deliveries still wait in the
landing location or the load queue, nor before the marts were rebuilt from the latest
loaded batch. A month whose own deliveries changed after its report was built gets a
new revision (a sent month: `_rev2`, …). The sources a month needs and how a delivery
covers it are `monev.catalog`'s (`Source.report`, `Source.covers`); this module reads
them through `audit.month_completeness`, which applies that rule to
`audit.source_catalog`, the catalog's copy in the warehouse.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monev import catalog, periods
from monev.ingest import tracking
from monev.ingest.landing import Landing
from monev.readiness.late_data import DUE_DAY

log = logging.getLogger(__name__)



def due_date(periode: str) -> date:
    """Day DUE_DAY of the month after `periode`."""
    return periods.due_date(periode, DUE_DAY)


@dataclass
class MonthStatus:
    periode: str
    loaded: list[str]
    missing: list[str]
    due: date
    reported: bool                 # a national report of the month was built or sent
    changed_since_report: bool     # a delivery of the month was loaded after it
    decision: str = ""             # build | reissue | wait | done
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"periode": self.periode, "loaded": self.loaded, "missing": self.missing,
                "due": self.due.isoformat(), "decision": self.decision, "reason": self.reason}


@dataclass
class Plan:
    months: list[MonthStatus] = field(default_factory=list)
    blocked: str | None = None     # why nothing may be reported now

    @property
    def to_build(self) -> list[MonthStatus]:
        return [m for m in self.months if m.decision in ("build", "reissue")]


def waiting_files(landing: Landing | None = None) -> int:
    """Deliveries not yet processed: in the landing location, or claimed and loading."""
    landing = landing or Landing()
    from monev.warehouse import db

    waiting = sum(len(tracking.pending(landing, s)) for s in catalog.LANDING_GROUPS)
    with db.connect() as conn:
        claimed = conn.execute(
            "SELECT count(*) FROM audit.landing_files WHERE status = 'claimed'"
        ).fetchone()[0]
    return waiting + int(claimed)


def _marts_ready(conn: Any) -> tuple[bool, str]:
    if conn.execute("SELECT to_regclass('marts.mart_monev_wilayah_bulanan')").fetchone()[0] is None:
        return False, "the marts have not been built yet (empty warehouse)"
    stale = conn.execute(
        "SELECT max(b.published_at) > coalesce("
        "  (SELECT max(started_at) FROM audit.dbt_invocations"
        "   WHERE success AND command = 'build'), '-infinity')"
        " FROM audit.load_batches b WHERE b.status = 'loaded'"
    ).fetchone()[0]
    if stale:
        return False, "a loaded delivery is not in the marts yet (transform pending)"
    return True, ""


def plan(today: date | None = None, only: str | None = None) -> Plan:
    """Every month with loaded deliveries (or just `only`), oldest first, with what to do."""
    from monev.warehouse import db

    today = today or date.today()
    out = Plan()
    waiting = waiting_files()
    with db.connect() as conn:
        ready, why = _marts_ready(conn)
        if not ready:
            out.blocked = why
        elif waiting:
            out.blocked = f"{waiting} file(s) still waiting in the landing location or load queue"
        rows = conn.execute(
            "SELECT c.periode, c.loaded_sources, c.missing_sources,"
            "  (SELECT max(coalesce(r.built_at, r.started_at)) FROM audit.report_runs r"
            "   WHERE r.periode = to_date(c.periode, 'YYYY-MM') AND r.scope = 'NASIONAL'"
            "     AND r.status IN ('built', 'sent')) AS reported_at,"
            "  (SELECT max(b.published_at) FROM audit.load_batches b"
            "   WHERE b.status = 'loaded' AND b.period_key = c.periode) AS changed_at"
            " FROM audit.month_completeness c"
            " WHERE %(only)s::text IS NULL OR c.periode = %(only)s ORDER BY c.periode",
            {"only": only},
        ).fetchall()
    for periode, loaded, missing, reported_at, changed_at in rows:
        m = MonthStatus(periode, list(loaded), list(missing), due_date(periode),
                        reported_at is not None,
                        bool(reported_at and changed_at and changed_at > reported_at))
        if out.blocked:
            m.decision, m.reason = "wait", out.blocked
        elif m.reported:
            m.decision, m.reason = (("reissue", "a delivery of the month changed after its report")
                                    if m.changed_since_report else ("done", "already reported"))
        elif not m.missing:
            m.decision, m.reason = "build", "complete"
        elif today > m.due:
            m.decision, m.reason = "build", (f"due {m.due} passed; missing: "
                                             + ", ".join(m.missing))
        else:
            m.decision, m.reason = "wait", (f"missing {', '.join(m.missing)} until {m.due}")
        out.months.append(m)
    return out

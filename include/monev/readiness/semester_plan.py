"""Which semester reports (Laporan Semester) the reports DAG builds now.

A semester is due once its last month's national monthly report has been built: the
monthly plan (monev.readiness.completeness) builds that month when all its sources
are in, or after the month's due day without them, so the semester follows the same
rule and its report names the months it has no data for. It is built once; when a
national report of one of its months is built after the semester's latest revision (a
revision of that month, or a month delivered late), the semester is reissued and states
what changed. A sent monthly report is rebuilt only as a revision; an unsent one (no
recipients configured) is rebuilt in place by a re-run, and that too reissues the
semester, since its figures may have moved. Read from audit.report_runs only, so the
decision is the same however often the DAG runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monev.periods import Semester
from monev.reports.semester_build import audit_scope

NATIONAL_SEMESTER = audit_scope("NASIONAL")


@dataclass(frozen=True)
class SemesterDecision:
    semester: str
    decision: str  # build | reissue
    reason: str

    def as_dict(self) -> dict:
        return {"semester": self.semester, "reissue": self.decision == "reissue",
                "reason": self.reason}


def decide(monthly: dict[dt.date, dt.datetime],
           semesters: dict[dt.date, dt.datetime]) -> list[SemesterDecision]:
    """`monthly`: month -> when its latest national monthly report was built;
    `semesters`: a semester's first month -> when its latest national report was built."""
    out = []
    for s in sorted({Semester.of_month(m) for m in monthly}, key=lambda s: s.key):
        if s.last not in monthly:
            continue  # its last month is not reported yet
        built = semesters.get(s.first)
        if built is None:
            out.append(SemesterDecision(s.key, "build", f"{s.last:%Y-%m} reported"))
            continue
        revised = sorted(m for m in s.months if m in monthly and monthly[m] > built)
        if revised:
            out.append(SemesterDecision(
                s.key, "reissue",
                "monthly report revised after the semester report: "
                + ", ".join(f"{m:%Y-%m}" for m in revised)))
    return out


def plan_semesters() -> list[SemesterDecision]:
    from monev.warehouse import db

    with db.connect() as conn:
        rows = conn.execute(
            "SELECT scope, periode, max(coalesce(built_at, started_at))"
            " FROM audit.report_runs WHERE scope IN ('NASIONAL', %s)"
            " AND status IN ('built', 'sent') GROUP BY scope, periode",
            (NATIONAL_SEMESTER,)).fetchall()
    monthly = {p: t for scope, p, t in rows if scope == "NASIONAL"}
    semesters = {p: t for scope, p, t in rows if scope == NATIONAL_SEMESTER}
    return decide(monthly, semesters)

"""What the report DAG does: decide which months are ready (completeness), then build
each one's national and provincial reports once, oldest month first; then the semester
reports whose last month is reported (monev.readiness.semester_plan)."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def months_to_report(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The months whose reports to build now, oldest first, each with `reissue`.

    A manual run with `periode` builds that month (a new revision with `reissue`);
    otherwise every month the completeness plan says is ready — whatever triggered the
    run (the marts event or the monthly schedule). The plan is logged month by month,
    so the DAG run shows each month's completeness."""
    from monev.readiness.completeness import plan

    if params.get("periode"):  # the report reads the month's missing sources off the marts
        return [{"periode": params["periode"], "reissue": bool(params.get("reissue")),
                 "provinsi": params.get("provinsi"), "missing": None}]
    p = plan()
    if p.blocked:
        log.info("no report now: %s", p.blocked)
    for m in p.months:
        log.info("%s: %-7s loaded=%s missing=%s due=%s (%s)", m.periode, m.decision,
                 ",".join(m.loaded) or "-", ",".join(m.missing) or "-", m.due, m.reason)
    # the plan's missing sources travel to the report, which names them
    return [{"periode": m.periode, "reissue": m.decision == "reissue", "provinsi": None,
             "missing": m.missing} for m in p.to_build]


def _allow_child_processes() -> None:
    """Under Celery the task process is forked from a prefork pool worker, which
    multiprocessing marks daemonic, and a daemonic process may not start the report
    process pool ("daemonic processes are not allowed to have children"). This task
    process is not a pool worker: it may have children, and it waits for them."""
    import multiprocessing

    proc = multiprocessing.current_process()
    if proc.daemon:
        proc._config["daemon"] = False  # type: ignore[attr-defined]


def build_period(periode: str, reissue: bool = False, provinsi: str | None = None,
                 missing: list[str] | None = None) -> dict[str, Any]:
    """Build (and send, once) the month's national report and every province's — or one
    province's; `missing` = the sources the plan found missing (named in the report).
    The reports package records runs in audit.report_runs and sends a period's report
    only once unless `reissue` asks for a new revision."""
    from monev.reports.build import build_reports

    _allow_child_processes()
    runs = build_reports(periode, provinsi=provinsi, send=True, reissue=reissue,
                         missing=missing) or []
    by_status: dict[str, int] = {}
    for r in runs:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    revisions = sorted({r.revision for r in runs})
    log.info("reports %s: %d scope(s) %s, revision(s) %s", periode, len(runs), by_status,
             revisions)
    failed = [r.scope for r in runs if r.status == "failed"]
    if failed:
        raise RuntimeError(f"reports {periode}: build failed for scope(s) {', '.join(failed)}")
    return {"periode": periode, "reports": len(runs), "status": by_status}


def semesters_to_report(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The semester reports to build now: the one asked for by hand (`semester`, with
    `reissue`), else every semester the plan says is due or revised."""
    from monev.readiness.semester_plan import plan_semesters

    if params.get("semester"):
        return [{"semester": params["semester"], "reissue": bool(params.get("reissue")),
                 "reason": "requested"}]
    decisions = plan_semesters()
    for d in decisions:
        log.info("semester %s: %s (%s)", d.semester, d.decision, d.reason)
    if not decisions:
        log.info("no semester report due")
    return [d.as_dict() for d in decisions]


def build_semester_report(semester: str, reissue: bool = False) -> dict[str, Any]:
    """Build (and send, once) the semester's national report and every province's annex;
    a reissue is a new revision stating what changed."""
    from monev.reports.semester_build import build_semester

    _allow_child_processes()
    runs = build_semester(semester, send=True, reissue=reissue) or []
    by_status: dict[str, int] = {}
    for r in runs:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    log.info("semester %s: %d scope(s) %s, revision(s) %s", semester, len(runs), by_status,
             sorted({r.revision for r in runs}))
    for r in runs[:1]:
        if r.message:
            log.info("semester %s national: %s", semester, r.message)
    failed = [r.scope for r in runs if r.status == "failed"]
    if failed:
        raise RuntimeError(f"semester {semester}: build failed for {', '.join(failed)}")
    return {"semester": semester, "reports": len(runs), "status": by_status}

"""What the monthly report DAG does per period: national + every province, sent once."""

from __future__ import annotations

import inspect
import logging
from datetime import date
from typing import Any

log = logging.getLogger(__name__)


def previous_month(d: date) -> str:
    y, m = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    return f"{y:04d}-{m:02d}"


def periods_for_run(context: dict[str, Any]) -> list[str]:
    """Months to report: the run's `periode` param, the periods carried by the marts
    event that triggered it, or — on the monthly schedule — the previous month."""
    from monev.orchestration.assets import periods_from_events

    params = context.get("params") or {}
    if params.get("periode"):
        return [params["periode"]]
    found = periods_from_events(context.get("triggering_asset_events"))
    if found:
        return found
    logical = context.get("logical_date")
    return [previous_month(logical.date())] if logical else []


def provinces(periode: str) -> list[str | None]:
    """None (the national report) + every province the marts hold for the month."""
    from monev.warehouse import db

    with db.connect() as conn:
        rows = conn.execute(
            "SELECT DISTINCT kode_wilayah FROM marts.mart_monev_wilayah_bulanan"
            " WHERE tingkat = 'PROVINSI' AND periode = %s::date ORDER BY 1",
            (f"{periode}-01",),
        ).fetchall()
    return [None, *(r[0] for r in rows)]


def build_period(periode: str, reissue: bool = False) -> dict[str, Any]:
    """Build (and send, once) the reports of one month. The reports package records
    runs in audit.report_runs and skips sending a period already sent unless reissued."""
    from monev.reports.build import build_reports

    kwargs: dict[str, Any] = {"send": True}
    if "reissue" in inspect.signature(build_reports).parameters:
        kwargs["reissue"] = reissue
    built: list[Any] = []
    for prov in provinces(periode):
        built.extend(build_reports(periode, provinsi=prov, **kwargs) or [])
    log.info("reports %s: %d file(s)", periode, len(built))
    return {"periode": periode, "files": [str(getattr(b, "path", b)) for b in built]}

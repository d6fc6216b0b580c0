"""What the monthly report DAG does per period: national + every province, sent once."""

from __future__ import annotations

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


def build_period(periode: str, reissue: bool = False,
                 provinsi: str | None = None) -> dict[str, Any]:
    """Build (and send, once) the month's national report and every province's — or one
    province's. The reports package records runs in audit.report_runs and sends a
    period's report only once unless `reissue` asks for a new revision."""
    from monev.reports.build import build_reports

    runs = build_reports(periode, provinsi=provinsi, send=True, reissue=reissue) or []
    log.info("reports %s: %d report run(s)", periode, len(runs))
    return {"periode": periode, "reports": len(runs)}

"""`monev demo`: the README's main command — embedded warehouse, small generated data in
the landing folder, then the latest month through Airflow, ending with its reports."""

from __future__ import annotations

import time
from pathlib import Path

from monev.config import settings
from monev.localrun.runner import RunSummary, run_period


def run_demo(periode_from: str, periode_to: str, seed: int = 0) -> tuple[RunSummary, list[Path]]:
    from monev.synthetic import generate

    landing = Path(settings().landing_url)
    t0 = time.monotonic()
    generate(landing, periode_from, periode_to, scale="small", seed=seed)
    generated = time.monotonic() - t0
    summary = run_period(periode_to)
    summary.setup_seconds = {"generate": generated, **summary.setup_seconds}
    month_dir = settings().reports_dir / periode_to  # the archive: reports/<YYYY-MM>/...
    reports = sorted(p for p in month_dir.rglob("*") if p.is_file()) if month_dir.exists() else []
    return summary, reports


def dashboards_hint() -> str:
    """Where the dashboards are, one command away (the BI server is not started by the
    demo: its first start takes a minute and it is a service, not a step of the run)."""
    from monev.bi import server

    if not server.installed():
        return "  dashboards: install the BI server with `make setup`, then `monev bi up`"
    if server.running_pid() is not None:
        return f"  dashboards: {server.base_url()}/dashboard/list/ (user admin)"
    return (f"  dashboards: `monev bi up`, then {server.base_url()}/dashboard/list/ "
            f"(user admin, password in {server.paths().admin_password})")

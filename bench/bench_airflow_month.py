"""How long a small-scale month takes through Airflow (`monev run`) and where the time
goes: set-up steps and each DAG run. Uses a scratch warehouse database and state folder
on the embedded cluster (or WAREHOUSE_URL's server), dropped afterwards."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def main() -> None:
    from monev.config import reset_settings
    from monev.warehouse import cluster

    server = os.environ.get("WAREHOUSE_URL") or cluster.up().url
    name = f"monev_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    state = Path(tempfile.mkdtemp(prefix="monev_bench_"))
    os.environ.update({
        "WAREHOUSE_URL": make_url(server).set(database=name).render_as_string(hide_password=False),
        "MONEV_STATE_DIR": str(state),
        "MONEV_REPORTS_DIR": str(state / "reports"),
        "MONEV_AIRFLOW_DB": f"{name}_airflow",
    })
    reset_settings()
    try:
        from monev.orchestration.runner import run_period, summary_lines
        from monev.synthetic import generate

        t0 = time.monotonic()
        generate(state / "landing", "2025-02", "2025-03", scale="small", seed=0)
        print(f"generate small 2025-02..03: {time.monotonic() - t0:.1f}s")
        t0 = time.monotonic()
        summary = run_period("2025-03")
        total = time.monotonic() - t0
        for line in summary_lines(summary):
            print(line)
        print(f"monev run 2025-03 total: {total:.1f}s")
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            for db in (name, f"{name}_airflow"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()

"""The set-up before Airflow runs a task, once for every entry point: `monev run` and
`monev demo` (in-process), `monev airflow` (the supervisor) and `monev airflow --init`
(the compose stack's airflow-init container) all call :func:`prepare`."""

from __future__ import annotations

import os
import time

from monev.localrun import airflow_home


def prepare() -> dict[str, float]:
    """Warehouse up and migrated, Airflow's environment and metadata database (migrated
    once per database), the pools, the dbt manifest; the seconds each step took."""
    from monev.warehouse import db

    timings: dict[str, float] = {}
    t0 = time.monotonic()
    # set-up: the one place besides `monev warehouse up` that may create or start the
    # embedded cluster (every task and command after it only finds it)
    db.ensure_warehouse(db.warehouse_url(start=True))
    timings["warehouse"] = time.monotonic() - t0
    t0 = time.monotonic()
    # a run on one machine retries I/O failures after seconds, not the deployment's
    # two minutes (the supervisor's components inherit this)
    os.environ.setdefault("MONEV_RETRY_DELAY_SECONDS", "3")
    airflow_home.configure()
    timings["configure"] = time.monotonic() - t0
    timings["airflow_db_migrate"] = airflow_home.migrate_metadata()
    t0 = time.monotonic()
    from monev.orchestration.pools import ensure_pools

    ensure_pools()
    timings["import_airflow+pools"] = time.monotonic() - t0
    t0 = time.monotonic()
    try:
        from monev.orchestration.dbt_group import ensure_manifest

        ensure_manifest()
    except ImportError:  # dbt runner not there: the DAG falls back to one build task
        pass
    timings["dbt_parse"] = time.monotonic() - t0
    return timings

"""`monev airflow`: Airflow standalone (api-server with UI, scheduler, dag-processor,
triggerer) on the local metadata database, for people who want to watch the DAGs."""

from __future__ import annotations

import os
import sys

from monev.orchestration import airflow_home


def exec_standalone(port: int = 8080) -> None:
    airflow_home.configure()
    airflow_home.migrate_metadata()
    from monev.orchestration.pools import ensure_pools

    ensure_pools()
    try:
        from monev.orchestration.dbt_group import ensure_manifest

        ensure_manifest()
    except ImportError:
        pass
    os.environ["AIRFLOW__API__PORT"] = str(port)
    # task processes report to the api-server's execution API: same port
    os.environ["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{port}/execution/"
    # standalone starts its components as `airflow ...` from PATH: use this venv's
    bin_dir = os.path.dirname(sys.executable)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    # standalone would otherwise fall back to SequentialExecutor-like defaults
    os.environ["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
    os.execve(sys.executable, [sys.executable, "-m", "airflow", "standalone"], os.environ.copy())

"""`python -m monev.localrun.task_host <airflow args>`: an Airflow component whose task
processes start warm.

On Linux every Airflow task is a bare `os.fork()` of the process that hosts the executor
(the scheduler's LocalExecutor workers, or a Celery worker's pool), so a task inherits
what that process imported. Without this each task imported Great Expectations (~5 s
on these machines), the parsers, the report renderer and dbt again: nine small loads
spent ~50 s importing. The scheduler and the Celery workers are started through this
module (monev.localrun.services), in `monev airflow` and in the compose stack alike.

Every component that runs one of Airflow's log servers (scheduler, Celery worker,
triggerer; `--cold`: without the warm imports) starts here, because Airflow binds that
server to every interface with no setting to change it: :func:`bind_log_server` makes it
listen where the api-server was asked to (`[api] host`, `monev airflow --host`) and
nowhere else. A Celery worker started here checks every workload the broker hands it
(monev.localrun.worker_guard).
"""

from __future__ import annotations

import importlib
import sys

# What the task bodies import (monev.orchestration.*): the gate and its GX, every
# source's parser, the report renderer, dbt's runner. Not DataFusion (the pseudonym's
# hash, imported where a participant file is parsed): importing it starts its runtime's
# threads, and a forked task would inherit that runtime without them.
WARM = (
    "airflow.sdk",
    "great_expectations",
    "monev.orchestration.ingest_tasks",
    "monev.quality.gate",
    "monev.orchestration.report_tasks",
    "monev.reports.build",
    "monev.reports.charts",
    "weasyprint",
    "monev.transform.runner",
    "dbt.cli.main",
)


def bind_log_server() -> None:
    """Airflow's serve_logs() calls uvicorn.run(host="") — every interface. Hand it a
    uvicorn whose run() binds `[api] host` instead (the scheduler, worker and triggerer
    import serve_logs when they start its process, after this)."""
    import types

    import uvicorn
    from airflow.configuration import conf
    from airflow.utils.serve_logs import core

    host = conf.get("api", "host", fallback="127.0.0.1") or "127.0.0.1"

    def run(app: object, **kwargs: object) -> None:
        uvicorn.run(app, **{**kwargs, "host": host.strip("[]")})

    core.uvicorn = types.SimpleNamespace(run=run)  # type: ignore[attr-defined]


def main() -> None:
    from monev.console import quiet_libraries

    args = sys.argv[1:]
    cold = bool(args) and args[0] == "--cold"
    if cold:
        args = args[1:]
    quiet_libraries()  # as every task process does: GX's import chatter stays out of the log
    for name in () if cold else WARM:
        importlib.import_module(name)
    bind_log_server()
    if args[:1] == ["celery"]:
        # a worker runs only the deployed DAGs' code, whatever a broker message names
        from monev.localrun import worker_guard

        worker_guard.install()
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", *args]
    airflow_main()


if __name__ == "__main__":
    main()

"""`python -m monev.localrun.task_host <airflow args>`: an Airflow component whose task
processes start warm.

On Linux every Airflow task is a bare `os.fork()` of the process that hosts the executor
(the scheduler's LocalExecutor workers, or a Celery worker's pool), so a task inherits
what that process imported. Without this each task imported Great Expectations (~5 s
on these machines), the parsers, the report renderer and dbt again: nine small loads
spent ~50 s importing. The scheduler and the Celery workers are started through this
module (monev.localrun.services), in `monev airflow` and in the compose stack alike.
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


def main() -> None:
    from monev.console import quiet_libraries

    quiet_libraries()  # as every task process does: GX's import chatter stays out of the log
    for name in WARM:
        importlib.import_module(name)
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", *sys.argv[1:]]
    airflow_main()


if __name__ == "__main__":
    main()

"""The components that fork task processes (the LocalExecutor scheduler, Celery workers)
run through monev.localrun.task_host, which imports what tasks need and then is the
Airflow CLI. The scheduler-driven month tests (tests/dags/test_scheduler_month.py) run
both executors through it; tests/dags/test_task_host_cli.py starts it."""

from __future__ import annotations

import sys

from monev.localrun import services


def test_forking_components_start_warm_and_the_others_do_not() -> None:
    host = [sys.executable, "-m", "monev.localrun.task_host"]
    local = services.commands(services.Options())
    assert local["scheduler"][:3] == host and local["scheduler"][3] != "--cold"
    # the triggerer starts through it cold: only for its log server's binding
    assert local["triggerer"][:4] == [*host, "--cold"]
    assert all(argv[:3] != host for name, argv in local.items()
               if name not in ("scheduler", "triggerer"))
    celery = services.commands(services.Options(executor="celery", celery_workers=2,
                                                redis_port=16399))
    assert [n for n, argv in celery.items() if argv[:3] == host and argv[3] != "--cold"] == [
        "scheduler", "celery-worker-1", "celery-worker-2"]

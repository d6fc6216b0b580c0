"""The components that fork task processes (the LocalExecutor scheduler, Celery workers)
run through monev.localrun.task_host, which imports what tasks need and then is the
Airflow CLI. The scheduler-driven month tests (tests/dags/test_scheduler_month.py) run
both executors through it."""

from __future__ import annotations

import subprocess
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


def test_task_host_imports_every_warm_module_then_is_the_airflow_cli() -> None:
    out = subprocess.run([sys.executable, "-m", "monev.localrun.task_host", "version"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    import airflow

    assert out.stdout.strip().splitlines()[-1] == airflow.__version__
    assert "Skipping registering function" not in out.stdout + out.stderr  # GX quietened


def test_warm_modules_do_not_load_datafusion_before_the_fork() -> None:
    """DataFusion starts its runtime's threads on import; a task forked from a process
    that imported it would hold that runtime without its threads."""
    code = ("import importlib, sys; from monev.localrun import task_host\n"
            "for name in task_host.WARM: importlib.import_module(name)\n"
            "print('datafusion' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"

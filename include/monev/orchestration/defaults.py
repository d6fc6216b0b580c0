"""What every monev DAG shares: owner, retries for I/O, failure callback, start date."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monev.config import settings
from monev.orchestration import callbacks

OWNER = "monev-data-eng"
START = datetime(2024, 1, 1)
TAGS = ["monev"]
# Extracts poll interval: short enough that a delivery is processed within minutes.
POLL_MINUTES = settings().poll_minutes


def quiet_task_process(context: dict[str, Any]) -> None:
    """Before every task: filter library warnings and chatty loggers (monev.console).
    Task processes reset logging after any setup done at import, and the DAG files'
    parse must not configure logging at all, so this runs as the task starts."""
    from monev.console import quiet_libraries

    quiet_libraries()


def default_args(retries: int = 2) -> dict[str, Any]:
    return {
        "owner": OWNER,
        # I/O (landing location, network, database restarts) is worth retrying; a failed
        # validation raises AirflowFailException, which Airflow never retries.
        "retries": retries,
        "retry_delay": timedelta(seconds=settings().retry_delay_seconds),
        "retry_exponential_backoff": True,
        "on_failure_callback": callbacks.on_failure,
        "on_execute_callback": quiet_task_process,
    }

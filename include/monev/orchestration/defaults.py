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


def default_args(retries: int = 2) -> dict[str, Any]:
    return {
        "owner": OWNER,
        # I/O (landing location, network, database restarts) is worth retrying; a failed
        # validation raises AirflowFailException, which Airflow never retries.
        "retries": retries,
        "retry_delay": timedelta(seconds=settings().retry_delay_seconds),
        "retry_exponential_backoff": True,
        "on_failure_callback": callbacks.on_failure,
    }

"""What every monev DAG shares: owner, retries for I/O, failure callback, start date."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from monev.orchestration import callbacks

OWNER = "monev-data-eng"
START = datetime(2024, 1, 1)
TAGS = ["monev"]
# Extracts poll interval: short enough that a delivery is processed within minutes.
POLL_MINUTES = float(os.environ.get("MONEV_POLL_MINUTES", "10"))
# In-process runs (`monev run`, tests) shorten it: dag.test() sleeps through retry delays.
RETRY_DELAY = timedelta(seconds=int(os.environ.get("MONEV_RETRY_DELAY_SECONDS", "120")))


def default_args(retries: int = 2) -> dict[str, Any]:
    return {
        "owner": OWNER,
        # I/O (landing location, network, database restarts) is worth retrying; a failed
        # validation raises AirflowFailException, which Airflow never retries.
        "retries": retries,
        "retry_delay": RETRY_DELAY,
        "retry_exponential_backoff": True,
        "on_failure_callback": callbacks.on_failure,
    }

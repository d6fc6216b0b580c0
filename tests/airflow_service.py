"""Helpers of the tests that start the real `monev airflow` service (the scheduler
month and semester in tests/dags, the security layer in tests/security): the service's
environment, free ports, waiting on the service with its logs in the failure message."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest


def service_env(warehouse: str, meta_url: str, root: Path, poll_minutes: str = "0.25",
                **extra: str) -> dict[str, str]:
    """The environment `monev airflow` runs with under test: this process's own without
    any AIRFLOW*, PYTEST* or MONEV_* variable or WAREHOUSE_URL (the service must not see
    the test's settings), then the warehouse, the metadata database, the state, landing
    and reports folders under `root`, the landing poll interval, and `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "PYTEST", "MONEV_")) and k != "WAREHOUSE_URL"}
    env.update({
        "WAREHOUSE_URL": warehouse,
        "MONEV_PG_PORT": os.environ.get("MONEV_PG_PORT", "55432"),
        "MONEV_STATE_DIR": str(root / "state"),
        "MONEV_LANDING_URL": str(root / "landing"),
        "MONEV_REPORTS_DIR": str(root / "reports"),
        "MONEV_POLL_MINUTES": poll_minutes,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
        **extra,
    })
    return env


def free_ports(n: int) -> int:
    """A base port with `n` consecutive free ports after it."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        try:
            for p in range(base, base + n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("no free port range")


def wait_for(what: str, check: Callable[[], object], timeout: float, proc: subprocess.Popen,
             logs: Path, every: float = 3) -> object:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        got = check()
        if got:
            return got
        if proc.poll() is not None:
            pytest.fail(f"monev airflow exited ({proc.returncode}) while waiting for {what}\n"
                        + tail(logs))
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n" + tail(logs))


def tail(logs: Path) -> str:
    out = []
    for f in sorted(logs.glob("*.log")):
        lines = f.read_text(errors="replace").splitlines()[-15:]
        out.append(f"--- {f.name}\n" + "\n".join(lines))
    return "\n".join(out)

"""Helpers of the tests that start the real `monev airflow` service (the scheduler
month in tests/dags, the security layer in tests/security): free ports, waiting on the
service with its logs in the failure message."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest


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

"""Helpers of the tests that start the real `monev airflow` service (the scheduler
month and semester and the cosmos WATCHER run in tests/dags, the security layer in
tests/security): the service's environment, free ports, a clone of the session's migrated
metadata database (tests/conftest.py `airflow_metadata_template`), starting and stopping
the service (`running_airflow`), waiting on it with its logs in the failure message."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
import pytest
from sqlalchemy.engine import make_url

MONEV = str(Path(sys.executable).with_name("monev"))


@contextlib.contextmanager
def cloned_metadata(server_url: str, template: str) -> Iterator[str]:
    """A metadata database of its own, cloned from the session's migrated one (seconds,
    where `airflow db migrate` takes tens of them); yields its SQLAlchemy URL and drops
    it afterwards."""
    name = f"airflow_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield make_url(server_url).set(database=name, drivername="postgresql+psycopg"
                                       ).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Running:
    """A started `monev airflow`: its process, port and logs folder; after the stop, its
    output (when it was captured) and what of its session was still alive."""
    proc: subprocess.Popen
    port: int
    logs: Path
    output: str = ""
    left: list[str] = field(default_factory=list)


@contextlib.contextmanager
def running_airflow(env: dict[str, str], port: int, *args: str,
                    stdout: object = subprocess.PIPE) -> Iterator[Running]:
    """`monev airflow --port PORT ARGS` with `env` (see `service_env`), in a session of
    its own; on leaving, SIGTERM (SIGKILL to the session after 90 s), then whatever of
    its session still lives 5 s after the supervisor exited is recorded in `left` (the
    tests assert it is nothing) and killed. On a clone (`cloned_metadata`) the service's
    own `airflow db migrate` finds nothing to migrate and does the rest of its start as
    on any database."""
    home = Path(env.get("AIRFLOW_HOME") or Path(env["MONEV_STATE_DIR"]) / "airflow")
    proc = subprocess.Popen([MONEV, "airflow", "--port", str(port), *args], env=env,
                            stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True,
                            text=True)
    run = Running(proc, port, home / "services")
    try:
        yield run
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        run.output = out or ""
        deadline = time.monotonic() + 5  # the components' last moments after the supervisor's
        while session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        for p in session_processes(proc.pid):
            with contextlib.suppress(psutil.Error):
                run.left.append(" ".join(p.info["cmdline"][:3]))
                p.kill()


def session_processes(sid: int) -> list[psutil.Process]:
    """Live processes of the session `monev airflow` leads (start_new_session)."""
    found = []
    for p in psutil.process_iter(["cmdline", "status"]):
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(p.pid) == sid and p.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(p)
    return found


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

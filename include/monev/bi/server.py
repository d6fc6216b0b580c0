"""Apache Superset as the project's BI server (`monev bi up|down|status|url`).

Superset runs from its own virtualenv (.venv-superset, scripts/setup.sh) under gunicorn,
as a background service with a pid file and its log in the state folder, like the
embedded cluster. Its metadata is a SQLite file there; the secret key and the admin
password are generated there on first start (mode 0600), never a default. The metadata
is created on first start only: copied from the setup's migrated template (the server
creates the admin as it starts), or else by deploy/superset/init.py; the national
connection and its dashboards are (re)imported on every start, so a change to the
dashboard spec in git is a change on screen.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

from monev.bi import assets
from monev.bi.api import BiError
from monev.bi.state import DEFAULT_PORT, admin_password, base_url, paths, running_pid, secret_file
from monev.config import PROJECT_ROOT

VENV = PROJECT_ROOT / ".venv-superset"
CONFIG = PROJECT_ROOT / "deploy" / "superset" / "superset_config.py"
INIT = PROJECT_ROOT / "deploy" / "superset" / "init.py"
# migrated metadata without users or secrets, made by scripts/setup.sh
TEMPLATE = VENV / "monev-metadata-template.db"
START_TIMEOUT = 120.0


def installed() -> bool:
    return (VENV / "bin" / "gunicorn").exists()


def environment() -> dict[str, str]:
    """The environment Superset's processes run with (secrets stay in files)."""
    p = paths()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPERSET_", "FLASK_"))}
    env.update(SUPERSET_CONFIG_PATH=str(CONFIG), MONEV_SUPERSET_STATE=str(p.home),
               PYTHONWARNINGS="ignore", SUPERSET_LOG_LEVEL="warning",
               PATH=f"{VENV / 'bin'}:{env.get('PATH', '')}",
               # a BI login's password is checked against the warehouse, and its first
               # sign-in imports the bundle written by this project's Python
               MONEV_SUPERSET_WAREHOUSE=assets.warehouse_dsn(),
               MONEV_SUPERSET_PYTHON=sys.executable)
    for key in ("SUPERSET_DATABASE_URI", "SUPERSET_SECRET_KEY"):  # compose sets these
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _prepare() -> None:
    """Secrets and, on first start only, the metadata database and the admin."""
    if not installed():
        raise BiError(f"Superset is not installed in {VENV}: run `make setup`")
    p = paths()
    secret_file(p.secret_key, lambda: secrets.token_urlsafe(48))
    admin_password()
    if p.initialised.exists():
        return
    db_file = p.home / "superset.db"
    if TEMPLATE.exists() and not db_file.exists() and "SUPERSET_DATABASE_URI" not in os.environ:
        # migrated and synced by the setup for this Superset, config and init script:
        # only the admin is missing, and the server makes it as it starts
        # (superset_config._admin_on_first_start)
        shutil.copyfile(TEMPLATE, db_file)
        os.chmod(db_file, 0o600)
        (p.home / "admin_pending").write_text("1\n")
        p.initialised.write_text("1\n")
        return
    with p.log.open("a") as log:
        done = subprocess.run([str(VENV / "bin" / "python"), str(INIT), str(p.admin_password)],
                              env=environment(), stdout=log, stderr=subprocess.STDOUT,
                              cwd=p.home, check=False)
    if done.returncode:
        raise BiError(f"Superset's metadata set-up failed; see {p.log}")
    p.initialised.write_text("1\n")


def check_port(host: str, port: int) -> None:
    """Refuse to start on a port another program listens on (gunicorn would only exit,
    and the start would say no more than that Superset stopped)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise BiError(f"port {port} on {host} is busy: another program listens "
                              "there; stop it or choose another with --port") from None
            raise BiError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def _wait_healthy(url: str, pid: int | None, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not _alive(pid):
            raise BiError(f"Superset stopped while starting; see {paths().log}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise BiError(f"Superset did not answer on {url} within {timeout:.0f} s; see {paths().log}")


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return waited == 0


def _gunicorn(host: str, port: int, workers: int, foreground: bool) -> list[str]:
    p = paths()
    cmd = [str(VENV / "bin" / "gunicorn"), "-w", str(workers), "-k", "gthread",
           "--threads", "4", "-b", f"{host}:{port}", "--timeout", "120",
           "--graceful-timeout", "10", "--limit-request-line", "0",
           "--limit-request-field_size", "0"]
    if not foreground:
        cmd += ["--pid", str(p.pid)]
    return [*cmd, "superset.app:create_app()"]


def up(host: str = "127.0.0.1", port: int = DEFAULT_PORT, workers: int = 1) -> str:
    """Start Superset in the background (no-op when running); import the national
    connection's dashboards; return the base URL."""
    p = paths()
    password: str | None = None
    if running_pid() is None:
        check_port(host, port)
        _prepare()
        p.pid.unlink(missing_ok=True)
        p.address.write_text(f"{host} {port}\n")
        with p.log.open("a") as log:
            proc = subprocess.Popen(_gunicorn(host, port, workers, foreground=False),
                                    env=environment(), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=p.home,
                                    start_new_session=True)
        try:
            # the warehouse side while gunicorn imports Superset (~15 s on two cores)
            password = assets.grant_default()
            _wait_healthy(base_url(), proc.pid, START_TIMEOUT)
        except BaseException:
            _stop(proc.pid)
            raise
    url = base_url()
    assets.ensure_default(url, password)
    return url


def serve_foreground(host: str, port: int, workers: int) -> int:
    """Compose: prepare, then run gunicorn in the foreground (the container's process);
    the bundle is imported once it answers."""
    check_port(host, port)
    _prepare()
    paths().address.write_text(f"{host} {port}\n")
    proc = subprocess.Popen(_gunicorn(host, port, workers, foreground=True),
                            env=environment(), cwd=paths().home)
    try:
        _wait_healthy(base_url(), proc.pid, START_TIMEOUT)
        assets.ensure_default(base_url())
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)


def _stop(pid: int, timeout: float = 20.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)


def down() -> bool:
    """Stop the server; False when it was not running."""
    pid = running_pid()
    if pid is None:
        return False
    _stop(pid)
    paths().pid.unlink(missing_ok=True)
    return True


def status() -> str:
    pid = running_pid()
    if not installed():
        return "BI server: not installed (run `make setup`)"
    if pid is None:
        return "BI server: stopped"
    return f"BI server: running (pid {pid}) on {base_url()}; log {paths().log}"

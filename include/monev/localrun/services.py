"""`monev airflow`: Airflow as a service on one machine — scheduler, dag-processor,
triggerer and api-server (with LocalExecutor), or the same plus Celery workers on a
private Redis broker (CeleryExecutor) — all started by this one supervisor.

The private broker asks for a password like every other service here: generated once
into `<state>/secrets/redis-broker.password` (0600), written into the broker's own
redis.conf (0600, in a 0700 folder; `redis-server FILE`, so never in argv) and handed to
Airflow's Celery components as AIRFLOW__CELERY__BROKER_URL in their environment. A task
message names the DAG file to import: a worker checks it lies in the deployed DAG folder
(monev.localrun.worker_guard).

The supervisor leads its own process group: SIGTERM or Ctrl-C stops every process it
started, their children included (task processes, api-server workers, Redis), and
nothing keeps the port. The compose stack runs the same entry point, one component per
container (`monev airflow --only scheduler`), so what the tests start is what is
deployed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from monev import mail
from monev.config import settings
from monev.localrun import airflow_home
from monev.localrun.health import worker_node
from monev.localrun.prepare import prepare

log = logging.getLogger(__name__)

# the api-server first: task processes report to its execution API, and a task started
# before it answers fails without ever running
CORE = ("api-server", "dag-processor", "triggerer", "scheduler")


@dataclass
class Options:
    port: int = 8080
    host: str = "127.0.0.1"
    executor: str = "local"            # local | celery
    celery_workers: int = 0            # with executor=celery
    redis_port: int | None = None      # start a private redis-server on this port
    only: tuple[str, ...] = ()         # run just these components (compose: one each)
    log_dir: Path | None = None        # component logs (default: AIRFLOW_HOME/services)
    extra_env: dict[str, str] = field(default_factory=dict)


def _ports(opts: Options) -> dict[str, str]:
    # Airflow's log servers default to 8793/8794 on every machine: keep them next to the
    # api-server's port so two checkouts never collide.
    base = f"http://{_url_host(client_host(opts.host))}:{opts.port}"
    return {
        "AIRFLOW__API__HOST": opts.host,
        "AIRFLOW__API__PORT": str(opts.port),
        "AIRFLOW__API__BASE_URL": base,
        # task processes report to the api-server's execution API
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(opts.port + 1),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(opts.port + 2),
    }


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None  # a host name


def is_loopback(host: str) -> bool:
    """Does a server listening on `host` stay on this machine? `localhost` and the
    loopback addresses do; every other address or name (`::`, a LAN address) does not."""
    addr = _address(host)
    return host == "localhost" if addr is None else addr.is_loopback


def client_host(host: str) -> str:
    """Where a local client reaches a server listening on `host`: the loopback address of
    the same family for a wildcard (`0.0.0.0`, `::`, empty), else the host itself."""
    addr = _address(host) if host else ipaddress.IPv4Address("0.0.0.0")
    if addr is not None and addr.is_unspecified:
        return "::1" if addr.version == 6 else "127.0.0.1"
    return host.strip("[]")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def broker_password_file() -> Path:
    return settings().state_dir / "secrets" / "redis-broker.password"


def redis_conf_file() -> Path:
    return airflow_home.airflow_home() / "redis" / "redis.conf"


def _private_broker(port: int) -> str:
    """Write the private broker's redis.conf (its password in it, 0600 in a 0700
    folder); returns its URL, password included, for the components' environment."""
    secrets_dir = broker_password_file().parent
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(secrets_dir, 0o700)
    password = airflow_home.read_or_create_secret(broker_password_file(),
                                                  lambda: secrets.token_hex(24))
    conf = redis_conf_file()
    conf.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(conf.parent, 0o700)
    airflow_home.write_private(conf, "\n".join([
        f"port {port}", "bind 127.0.0.1", "protected-mode yes",
        # a queue, not a store: nothing written to disk
        'save ""', "appendonly no", f"dir {conf.parent}",
        f"requirepass {password}", ""]))
    return f"redis://:{password}@127.0.0.1:{port}/0"


def environment(opts: Options) -> dict[str, str]:
    """Everything the components need, on top of airflow_home.configure()."""
    # what the environment already says wins (compose names the api-server's host)
    env = {k: os.environ.get(k, v) for k, v in _ports(opts).items()}
    env.update(opts.extra_env)
    # JWT secret shared by api-server and task processes (0600 under the state folder)
    if "AIRFLOW__API_AUTH__JWT_SECRET" not in os.environ:
        env["AIRFLOW__API_AUTH__JWT_SECRET"] = airflow_home.read_or_create_secret(
            airflow_home.airflow_home() / "jwt_secret", lambda: os.urandom(24).hex())
    # every interface, loopback included, asks for a login (airflow_home.auth_environment)
    env.update(airflow_home.auth_environment())
    if opts.executor == "celery":
        env["AIRFLOW__CORE__EXECUTOR"] = "CeleryExecutor"
        if opts.redis_port:
            env.setdefault("AIRFLOW__CELERY__BROKER_URL", _private_broker(opts.redis_port))
        env.setdefault("AIRFLOW__CELERY__RESULT_BACKEND",
                       "db+" + os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    else:
        env["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
    # components are started as `python -m airflow`, with this venv first on PATH
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return env


def commands(opts: Options) -> dict[str, list[str]]:
    """Name → argv of every process to start, in start order."""
    py = [sys.executable, "-m", "airflow"]
    # the components whose task processes are forked from them start warm (task_host)
    warm = [sys.executable, "-m", "monev.localrun.task_host"]
    cmds: dict[str, list[str]] = {}
    if opts.executor == "celery" and opts.redis_port:
        # everything, the password included, in its 0600 redis.conf (_private_broker)
        cmds["redis"] = ["redis-server", str(redis_conf_file())]
    for name in CORE:
        if name == "api-server":
            cmds[name] = [*py, "api-server", "--host", opts.host, "--port", str(opts.port),
                          "--workers", "1"]
        elif name == "scheduler":
            cmds[name] = [*warm, name]
        elif name == "triggerer":  # its log server bound like the others (task_host)
            cmds[name] = [*warm, "--cold", name]
        else:
            cmds[name] = [*py, name]
    # task slots per worker: Airflow's own setting when the deployment gives it (compose's
    # AIRFLOW_WORKER_CONCURRENCY), else 2 (sized for two cores)
    concurrency = os.environ.get("AIRFLOW__CELERY__WORKER_CONCURRENCY") or "2"
    for i in range(1, opts.celery_workers + 1 if opts.executor == "celery" else 1):
        # each worker its own name (worker_node) and log-server port, so two run on one
        # machine
        cmds[f"celery-worker-{i}"] = [*warm, "celery", "worker", "--concurrency", concurrency,
                                      "--celery-hostname", worker_node(i, "%h"),
                                      "--without-mingle", "--without-gossip"]
    if opts.only:
        cmds = {k: v for k, v in cmds.items() if k.rstrip("-0123456789") in opts.only}
    return cmds


class Supervisor:
    def __init__(self, opts: Options):
        self.opts = opts
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def start(self) -> None:
        # lead a process group so stop() reaches every descendant; a session leader
        # (a shell's job) already leads its own
        with contextlib.suppress(PermissionError):
            os.setpgid(0, 0)
        try:
            self._start()
        except BaseException:
            # nothing this supervisor started outlives a failed start (an api-server
            # left running would keep serving)
            self.stop()
            raise

    def _start(self) -> None:
        env = {**os.environ, **environment(self.opts)}
        log_dir = self.opts.log_dir or airflow_home.airflow_home() / "services"
        log_dir.mkdir(parents=True, exist_ok=True)
        for name, argv in commands(self.opts).items():
            if self.stopping:
                break  # Ctrl-C / SIGTERM while starting: run() stops what started
            out = (log_dir / f"{name}.log").open("ab")
            worker = name.startswith("celery-worker-")
            penv = dict(env)
            if worker:
                n = int(name.rsplit("-", 1)[1])
                # worker 1 on the port the api-server reads worker logs from (the
                # scheduler serves none under Celery); more workers on one machine next
                if n > 1:
                    penv["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(self.opts.port + 2 + n)
            self.procs[name] = subprocess.Popen(argv, env=penv, stdout=out,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if name in ("redis", "api-server"):
                self._wait_port(name, self.opts.redis_port if name == "redis" else self.opts.port)
        url = f"http://{_url_host(client_host(self.opts.host))}:{self.opts.port}"
        print(f"monev airflow: {', '.join(self.procs)} started ({self.opts.executor} executor);"
              f" UI {url}  logs {log_dir}", flush=True)

    def _wait_port(self, name: str, port: int | None, timeout: float = 180.0) -> None:
        """Until the component answers on its port (IPv4 or IPv6, by getaddrinfo); raises
        when it does not in time, so start() stops everything."""
        host = "127.0.0.1" if name == "redis" else client_host(self.opts.host)
        t0 = time.monotonic()
        while port and time.monotonic() - t0 < timeout:
            if self.procs[name].poll() is not None or self.stopping:
                return  # run() reports the exit, or stops on Ctrl-C / SIGTERM
            try:
                with socket.create_connection((host, port), timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        if port and not self.stopping:
            raise RuntimeError(f"{name} did not answer on {_url_host(host)}:{port} within"
                               f" {timeout:.0f}s")

    def _handle(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)
        try:
            self.start()
        except RuntimeError as e:
            print(f"monev airflow: {e}; stopped everything it started", file=sys.stderr)
            return 1
        code = 0
        while not self.stopping:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                print(f"monev airflow: {', '.join(dead)} exited; stopping the rest",
                      file=sys.stderr)
                code = 1
                break
            time.sleep(1)
        self.stop()
        return code

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM to everything this supervisor started (direct children, their
        descendants and anything left in its process group), SIGKILL what remains."""
        import psutil

        me = psutil.Process()
        pgid = os.getpgid(0)
        victims = {p.pid: p for p in me.children(recursive=True)}
        for p in psutil.process_iter():
            try:
                if p.pid != me.pid and os.getpgid(p.pid) == pgid:
                    victims.setdefault(p.pid, p)
            except (ProcessLookupError, psutil.Error):
                continue
        for p in victims.values():
            with contextlib.suppress(psutil.Error):
                p.terminate()
        _, alive = psutil.wait_procs(list(victims.values()), timeout=timeout)
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(alive, timeout=5)
        print(f"monev airflow: stopped {len(victims)} process(es)", flush=True)


def serve(opts: Options, init_only: bool = False) -> int:
    """Prepare (monev.localrun.prepare) and run the components. With `only` (compose:
    one component per container) the `--init` container has prepared everything
    already, so nothing is migrated concurrently."""
    airflow_home.configure()
    os.environ.update(environment(opts))
    if "api-server" in commands(opts) or init_only:
        _announce_logins(airflow_home.ensure_logins())
    if not is_loopback(opts.host) and not init_only:
        print(f"monev airflow: listening on {opts.host}: reachable from other machines"
              " (every request still needs a login)", file=sys.stderr)
    if init_only or not opts.only:
        prepare()
        if not mail.configured():
            print("monev airflow: WARNING no SMTP server (AIRFLOW_CONN_SMTP_DEFAULT):"
                  " alerts go to the task logs and audit.alerts only", file=sys.stderr)
    if init_only:
        return 0
    return Supervisor(opts).run()


def _announce_logins(new: dict[str, str]) -> None:
    """A generated password is shown once, when it is made; afterwards it is only in the
    0600 passwords file."""
    for user, password in new.items():
        print(f"monev airflow: Airflow login {user!r}, password {password} (generated now,"
              f" shown once; kept in {airflow_home.passwords_file()}, mode 0600)", flush=True)


def exec_cli(args: list[str]) -> None:
    """The `airflow` CLI on the project's metadata database (`monev airflow-cli …`)."""
    airflow_home.configure()
    os.execve(sys.executable, [sys.executable, "-m", "airflow", *args], os.environ.copy())

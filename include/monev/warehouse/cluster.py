"""A project-local PostgreSQL cluster started from the system's server binaries.

The embedded cluster is the default warehouse: its data lives in the git-ignored state
folder, it listens on its own port (127.0.0.1 only) and socket, so it neither collides
with nor depends on a PostgreSQL the machine may already run on 5432. `initdb` refuses
to run as root, so as root the cluster runs as an unprivileged OS user.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from monev.config import Settings, settings

SUPERUSER = "monev"
DATABASE = "monev"


def _os_user() -> str:
    return settings().pg_os_user


class ClusterError(RuntimeError):
    pass


@dataclass(frozen=True)
class Cluster:
    data_dir: Path
    socket_dir: Path
    log_file: Path
    port: int
    bin_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def admin_url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"


def find_bin_dir(cfg: Settings) -> Path:
    if cfg.pg_bin_dir:
        return cfg.pg_bin_dir
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    if candidates:
        return Path(candidates[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise ClusterError(
        "PostgreSQL server binaries not found: run `make setup` (installs Debian's "
        "`postgresql`) or set MONEV_PG_BIN_DIR"
    )


def _as_root() -> bool:
    return os.geteuid() == 0


def _ensure_os_user() -> None:
    try:
        pwd.getpwnam(_os_user())
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             _os_user()],
            check=True,
        )


def _reachable_by_cluster_user(path: Path) -> bool:
    """Can the unprivileged cluster user traverse every parent of `path`?"""
    probe = path
    while not probe.exists():
        probe = probe.parent
    result = subprocess.run(
        ["runuser", "-u", _os_user(), "--", "test", "-x", str(probe)], check=False
    )
    return result.returncode == 0


def cluster(cfg: Settings | None = None) -> Cluster:
    cfg = cfg or settings()
    base = cfg.state_dir / "pg"
    if _as_root():
        _ensure_os_user()
        if not _reachable_by_cluster_user(cfg.state_dir.parent):
            # e.g. a clone under /root (mode 700): keep the cluster where its user can reach it.
            digest = hashlib.sha256(str(cfg.state_dir).encode()).hexdigest()[:10]
            base = Path("/var/tmp") / f"monev-pg-{digest}"
    data_dir = base / "data"
    return Cluster(
        data_dir=data_dir,
        socket_dir=base / "run",
        log_file=base / "postgres.log",
        port=_running_port(data_dir) or cfg.pg_port,
        bin_dir=find_bin_dir(cfg),
    )


def _running_port(data_dir: Path) -> int | None:
    """The port a cluster already running from `data_dir` listens on: a cluster started
    earlier with another MONEV_PG_PORT keeps serving there until it is stopped."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
        return int(lines[3])
    except (OSError, IndexError, ValueError):
        return None


def _run(c: Cluster, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [str(c.bin_dir / args[0]), *args[1:]]
    if _as_root():
        cmd = ["runuser", "-u", _os_user(), "--", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise ClusterError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result


def is_running(c: Cluster) -> bool:
    if not (c.data_dir / "PG_VERSION").exists():
        return False
    return _run(c, ["pg_ctl", "status", "-D", str(c.data_dir)], check=False).returncode == 0


def _init(c: Cluster) -> None:
    for d in (c.data_dir, c.socket_dir):
        d.mkdir(parents=True, exist_ok=True)
        if _as_root():
            shutil.chown(d, _os_user(), _os_user())
    os.chmod(c.data_dir, 0o700)
    if _as_root():
        shutil.chown(c.data_dir.parent, _os_user(), _os_user())
    # trust on loopback only: this is a single-user development cluster; a shared
    # warehouse is reached through WAREHOUSE_URL with real credentials instead.
    _run(c, ["initdb", "-D", str(c.data_dir), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8"])
    conf = c.data_dir / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(
            "\n# monev embedded cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{c.socket_dir}'\n"
            # sized for a 2-core, 24 GB machine shared with other work. What matters
            # is the month-sized aggregates of the participant list (double funding):
            # at 128MB (x2 hash_mem_multiplier) they spill in fewer batches (-8 % on a
            # 500k-row month), and JIT compilation cost more than it saved (+7 %)
            "shared_buffers = 512MB\n"
            "work_mem = 128MB\n"
            "jit = off\n"
            "maintenance_work_mem = 512MB\n"
            "max_wal_size = 4GB\n"
            "wal_level = minimal\n"
            "max_wal_senders = 0\n"
            "max_connections = 200\n"
        )


def up(cfg: Settings | None = None) -> Cluster:
    """Start the embedded cluster (initialising it the first time) and its database."""
    c = cluster(cfg)
    if not (c.data_dir / "PG_VERSION").exists():
        _init(c)
    start(c)
    _ensure_durable_commits(c)
    ensure_database(c.admin_url("postgres"), DATABASE)
    return c


def start(c: Cluster) -> None:
    """Start an initialised cluster (after a crash: PostgreSQL replays its WAL first)."""
    if not is_running(c):
        c.socket_dir.mkdir(parents=True, exist_ok=True)
        if _as_root():
            shutil.chown(c.socket_dir, _os_user(), _os_user())
        started = _run(c, ["pg_ctl", "start", "-w", "-t", "60", "-D", str(c.data_dir),
                           "-l", str(c.log_file), "-o", f"-p {c.port}"], check=False)
        if started.returncode != 0:
            log_tail = c.log_file.read_text(errors="replace").splitlines()[-5:]
            raise ClusterError(
                f"embedded PostgreSQL did not start on port {c.port} (is the port taken? "
                f"set MONEV_PG_PORT): " + " | ".join(log_tail)
            )
    _wait_ready(c)


def stop(c: Cluster, mode: str = "fast") -> None:
    """Stop the cluster; mode 'immediate' is a crash as far as the data is concerned
    (no checkpoint: the next start recovers from the WAL)."""
    if is_running(c):
        _run(c, ["pg_ctl", "stop", "-m", mode, "-w", "-D", str(c.data_dir)])


def _ensure_durable_commits(c: Cluster) -> None:
    """A commit the audit reports as loaded must survive a crash: clusters initialised
    before this was the rule ran with synchronous_commit = off; turn it back on."""
    import psycopg

    with psycopg.connect(c.admin_url("postgres"), autocommit=True) as conn:
        if conn.execute("SHOW synchronous_commit").fetchone()[0] != "on":
            conn.execute("ALTER SYSTEM SET synchronous_commit = on")
            conn.execute("SELECT pg_reload_conf()")


def _wait_ready(c: Cluster, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # As the cluster's superuser and an existing database: pg_isready's default
        # (the OS user's name) is no role here and logs a FATAL line per probe.
        ok = _run(c, ["pg_isready", "-h", "127.0.0.1", "-p", str(c.port), "-U", SUPERUSER,
                      "-d", "postgres"], check=False)
        if ok.returncode == 0:
            return
        time.sleep(0.2)
    raise ClusterError(f"embedded PostgreSQL did not become ready; see {c.log_file}")


def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server `server_url` points at (any database of it),
    unless it exists: the warehouse on the embedded cluster, Airflow's metadata database
    next to the warehouse on either kind of server."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def down(cfg: Settings | None = None) -> None:
    stop(cluster(cfg))


def status(cfg: Settings | None = None) -> str:
    cfg = cfg or settings()
    if not cfg.embedded:
        return f"external warehouse: {redact(cfg.warehouse_url or '')}"
    c = cluster(cfg)
    state = "running" if is_running(c) else "stopped"
    return f"embedded PostgreSQL {state}: port {c.port}, data {c.data_dir}"


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

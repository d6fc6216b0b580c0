"""A project-local PostgreSQL cluster started from the system's server binaries.

The embedded cluster is the default warehouse: its data lives in the git-ignored state
folder, it listens on its own port (127.0.0.1 only) and socket, so it neither collides
with nor depends on a PostgreSQL the machine may already run on 5432. `initdb` refuses
to run as root, so as root the cluster runs as an unprivileged OS user.

It is on a shared server, so every connection authenticates (scram-sha-256 on the
socket and on loopback; no `trust` line). Two logins, each with a generated password in
its own libpq passfile under `<state>/secrets/` (folder 0700, files 0600):

- `monev_app` — every component at run time (ingest, dbt, reports, Airflow's metadata).
  It owns the warehouse database and may create databases, but is no superuser and has
  no CREATEROLE (on PostgreSQL 15 that would let it grant itself
  `pg_execute_server_program`), so it can neither run `COPY … PROGRAM` nor read
  server files.
- `monev` — the cluster's own superuser, for set-up (`up`) and role management
  (`monev access`) only; no component needs its password at run time. Its sessions
  resolve names in the system catalog only (search_path pinned in its URL) and never
  run an object `monev_app` owns: backup and restore run as `monev_app`.

No database is open to every login: set-up takes CONNECT from PUBLIC; `monev access`
gives the warehouse's to the BI groups.

URLs carry no password, only `?passfile=…`, so they may be printed or passed to a
child process; libpq (psycopg, psql, dbt through PGPASSFILE) reads the password itself.
Clusters made before this (pg_hba `trust`, everything owned by the superuser) are
migrated by `up`.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from monev.config import Settings, settings

SUPERUSER = "monev"
APP_ROLE = "monev_app"
DATABASE = "monev"
# Group roles the migrations grant to; created here because the application role may
# not create roles.
GROUP_ROLES = ("monev_loader", "monev_transformer", "monev_analyst", "monev_bi")
# The groups of BI logins (monev access grants one of them).
BI_GROUPS = ("monev_bi", "monev_analyst")
# What the application role is given beyond owning its databases: end other sessions of
# its own databases (DROP DATABASE … WITH (FORCE) in tests, a stuck load) and read the
# statistics views. Neither reaches server files or programs.
APP_MEMBERSHIPS = ("pg_signal_backend", "pg_monitor")
# The superuser's sessions resolve names in the system catalog only (see admin_url).
PINNED = "--search_path=pg_catalog,pg_temp"


def _os_user() -> str:
    return settings().pg_os_user


class ClusterError(RuntimeError):
    pass


def secrets_dir(cfg: Settings | None = None) -> Path:
    return (cfg or settings()).state_dir / "secrets"


@dataclass(frozen=True)
class Cluster:
    data_dir: Path
    socket_dir: Path
    log_file: Path
    port: int
    bin_dir: Path
    secrets: Path = field(default_factory=secrets_dir)

    def passfile(self, role: str) -> Path:
        return self.secrets / f"pg-{role}.pgpass"

    def role_url(self, role: str, database: str = DATABASE) -> str:
        return (f"postgresql://{role}@127.0.0.1:{self.port}/{database}"
                f"?passfile={quote(str(self.passfile(role)), safe='/')}")

    @property
    def url(self) -> str:
        """The application role's URL: what every component connects with."""
        return self.role_url(APP_ROLE)

    def app_url(self, database: str = DATABASE) -> str:
        return self.role_url(APP_ROLE, database)

    def admin_url(self, database: str = DATABASE) -> str:
        """The superuser's URL: set-up and role management only. Its search_path is
        pinned to the system catalog: the application's login owns the databases and
        may create schemas (and `public` is its), so any other name the superuser's
        session resolved could be the application's code run with superuser rights."""
        return self.role_url(SUPERUSER, database) + "&options=" + quote(PINNED, safe="")

    def password(self, role: str) -> str:
        return read_passfile(self.passfile(role))


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
    secrets_folder = secrets_dir(cfg)
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
        secrets=secrets_folder,
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


# --- secrets ---------------------------------------------------------------------


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only, from the first byte on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def read_passfile(path: Path) -> str:
    """The password of a one-line libpq passfile `*:*:*:role:password`."""
    try:
        line = path.read_text().strip()
    except FileNotFoundError:
        raise ClusterError(
            f"warehouse password file {path} is missing: run `monev warehouse up`"
        ) from None
    return line.split(":", 4)[4]


def ensure_secrets(c: Cluster) -> None:
    """Generate each login's password into its passfile once (folder 0700, files 0600).
    token_urlsafe has no ':' or '\\', so the passfile needs no escaping."""
    c.secrets.mkdir(parents=True, exist_ok=True)
    os.chmod(c.secrets, 0o700)
    for role in (SUPERUSER, APP_ROLE):
        f = c.passfile(role)
        if not f.exists():
            _write_private(f, f"*:*:*:{role}:{secrets.token_urlsafe(32)}\n")
        os.chmod(f, 0o600)


def _verifier(conn: object, role: str, password: str) -> str:
    """The SCRAM verifier of `password`, computed by libpq on this side: the clear
    password never reaches the server (nor its statement log)."""
    return conn.pgconn.encrypt_password(  # type: ignore[attr-defined]
        password.encode(), role.encode(), b"scram-sha-256").decode()


# --- life cycle ------------------------------------------------------------------


def _init(c: Cluster) -> None:
    for d in (c.data_dir, c.socket_dir):
        d.mkdir(parents=True, exist_ok=True)
        if _as_root():
            shutil.chown(d, _os_user(), _os_user())
    os.chmod(c.data_dir, 0o700)
    if _as_root():
        shutil.chown(c.data_dir.parent, _os_user(), _os_user())
    # initdb reads the superuser's password from a file its OS user can read: a
    # private copy next to the data folder, removed at once.
    pwfile = c.data_dir.parent / ".initdb-pw"
    _write_private(pwfile, c.password(SUPERUSER) + "\n")
    if _as_root():
        shutil.chown(pwfile, _os_user(), _os_user())
    try:
        _run(c, ["initdb", "-D", str(c.data_dir), "-U", SUPERUSER,
                 "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                 f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C.UTF-8"])
    finally:
        pwfile.unlink(missing_ok=True)
    conf = c.data_dir / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(
            "\n# monev embedded cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{c.socket_dir}'\n"
            "password_encryption = 'scram-sha-256'\n"
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
            # BI logins get CONNECTION LIMIT MONEV_BI_CONNECTION_LIMIT each, and
            # together must leave MONEV_PG_APP_RESERVED_CONNECTIONS to the project's
            # logins (monev access): 500 = 44 logins of 10 beside a reserve of 50
            "max_connections = 500\n"
        )


def initialised(c: Cluster) -> bool:
    return (c.data_dir / "PG_VERSION").exists()


def up(cfg: Settings | None = None) -> Cluster:
    """Set-up: create (the first time) and start the embedded cluster, its logins and
    its database. Only set-up paths call this (`monev warehouse up`, `demo`, `airflow`,
    the test session); everything else finds the cluster with :func:`require`."""
    c = cluster(cfg)
    ensure_secrets(c)
    made_now = not initialised(c)
    if made_now:
        _init(c)
    start(c)
    _ensure_roles(c)
    ensure_database(c.admin_url("postgres"), DATABASE, owner=APP_ROLE)
    upgrades = _upgrades(cfg or settings())
    if made_now:  # made as the upgrades would leave it
        _record_upgrades(c, list(upgrades))
    else:
        _upgrade_once(c, upgrades)
    close_databases(c)
    return c


# One-time upgrades of clusters made by older versions, in order. Each runs once per
# cluster and is recorded (one name a line) in the data folder's UPGRADES_FILE, so a
# `warehouse up` does not re-read pg_hba.conf, the settings and every object's owner;
# a cluster made now is recorded as upgraded. The record lives with the data: a new
# data folder starts without it.
UPGRADES_FILE = "monev_upgrades"


def _upgrades(cfg: Settings) -> dict[str, Callable[[Cluster], None]]:
    return {
        # made when loopback was trusted
        "passwords_required": _require_passwords,
        # made with synchronous_commit = off
        "durable_commits": _ensure_durable_commits,
        # made before the application role owned the databases
        "app_role_owns_warehouse": lambda c: hand_over(c, DATABASE),
        "app_role_owns_airflow_db": lambda c: hand_over(c, cfg.airflow_db),
    }


def applied_upgrades(c: Cluster) -> list[str]:
    path = c.data_dir / UPGRADES_FILE
    return path.read_text().split() if path.exists() else []


def _record_upgrades(c: Cluster, names: list[str]) -> None:
    _write_as_cluster_user(c, c.data_dir / UPGRADES_FILE, "".join(f"{n}\n" for n in names))


def _upgrade_once(c: Cluster, upgrades: dict[str, Callable[[Cluster], None]]) -> None:
    done = applied_upgrades(c)
    for name, upgrade in upgrades.items():
        if name not in done:
            upgrade(c)
            done.append(name)
            _record_upgrades(c, done)


def require(cfg: Settings | None = None) -> Cluster:
    """The running embedded cluster, for every path that is not set-up: a missing or
    stopped cluster is an error naming the state folder, never a new empty warehouse."""
    cfg = cfg or settings()
    c = cluster(cfg)
    if not initialised(c):
        raise ClusterError(
            f"no embedded warehouse in the state folder {cfg.state_dir} (expected "
            f"{c.data_dir}): run `monev warehouse up` (or set WAREHOUSE_URL / "
            "MONEV_STATE_DIR to the warehouse this should use)"
        )
    if not is_running(c):
        raise ClusterError(
            f"the embedded warehouse in {cfg.state_dir} is not running: "
            "run `monev warehouse up`"
        )
    if not c.passfile(APP_ROLE).exists():
        raise ClusterError(
            f"the warehouse's password file is missing from {c.secrets}: "
            "run `monev warehouse up`"
        )
    return c


_HBA_TRUST = re.compile(r"^(\s*(?:local|host\S*)\s.*\s)trust(\s*(?:#.*)?)$")


def _require_passwords(c: Cluster) -> None:
    """Migrate a cluster made when loopback was trusted: give the superuser its
    password, then replace every `trust` line of pg_hba.conf by scram-sha-256."""
    import psycopg

    hba = c.data_dir / "pg_hba.conf"
    lines = hba.read_text().splitlines()
    if not any(_HBA_TRUST.match(line) for line in lines):
        return
    with psycopg.connect(c.admin_url("postgres"), autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        verifier = _verifier(conn, SUPERUSER, c.password(SUPERUSER))
        conn.execute(f"ALTER ROLE {SUPERUSER} PASSWORD '{verifier}'")
        new = "\n".join(_HBA_TRUST.sub(r"\1scram-sha-256\2", line) for line in lines)
        _write_as_cluster_user(c, hba, new + "\n")
        conn.execute("ALTER SYSTEM SET password_encryption = 'scram-sha-256'")
        conn.execute("SELECT pg_reload_conf()")


def _write_as_cluster_user(c: Cluster, path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".new")
    _write_private(tmp, text)
    if _as_root():
        shutil.chown(tmp, _os_user(), _os_user())
    tmp.replace(path)


def _ensure_roles(c: Cluster) -> None:
    """The application login (password from its passfile, kept in step when the file is
    new) and the group roles the migrations grant to."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(c.admin_url("postgres"), autocommit=True) as conn:
        for group in GROUP_ROLES:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                (group,)).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
        verifier = _verifier(conn, APP_ROLE, c.password(APP_ROLE))
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                              (APP_ROLE,)).fetchone()
        conn.execute(sql.SQL(
            "{} ROLE {} LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
            "PASSWORD {}").format(sql.SQL("ALTER" if exists else "CREATE"),
                                  sql.Identifier(APP_ROLE), sql.Literal(verifier)))
        for member_of in APP_MEMBERSHIPS:
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of),
                                                           sql.Identifier(APP_ROLE)))


def hand_over(c: Cluster, database: str) -> None:
    """Make the application role own `database` and everything the superuser made in
    it (a cluster made before the application role existed; the bootstrap superuser
    cannot be REASSIGNed, so object by object), and carry over its default
    privileges so tables made later are granted as before."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(c.admin_url("postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
            (database,)).fetchone()
    if row is None or row[0] == APP_ROLE:
        return
    with psycopg.connect(c.admin_url(database), autocommit=True) as conn:
        app = sql.Identifier(APP_ROLE)
        with conn.transaction():
            conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database), app))
            for (schema,) in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspowner = %s::regrole"
                " AND nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema'",
                (SUPERUSER,)).fetchall():
                conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                    sql.Identifier(schema), app))
            # tables, views, materialized views, foreign/partitioned tables; sequences
            # not owned by a column (those follow their table); indexes follow too
            for kind, schema, name in conn.execute(
                """SELECT c.relkind, n.nspname, c.relname FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relowner = %s::regrole AND c.relkind IN ('r','v','m','f','p','S')
                     AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
                     AND NOT (c.relkind = 'S' AND EXISTS (
                         SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                            AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a','i')))""",
                (SUPERUSER,)).fetchall():
                what = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE",
                        "f": "FOREIGN TABLE"}.get(kind, "TABLE")
                conn.execute(sql.SQL("ALTER {} {}.{} OWNER TO {}").format(
                    sql.SQL(what), sql.Identifier(schema), sql.Identifier(name), app))
            for (signature,) in conn.execute(
                """SELECT p.oid::regprocedure::text FROM pg_proc p
                   JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE p.proowner = %s::regrole
                     AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'""",
                (SUPERUSER,)).fetchall():
                conn.execute(sql.SQL("ALTER ROUTINE {} OWNER TO {}").format(
                    sql.SQL(signature), app))
            for schema, objtype, grantee, privilege in conn.execute(
                """SELECT n.nspname, d.defaclobjtype, a.grantee::regrole::text,
                          a.privilege_type
                   FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace,
                        aclexplode(d.defaclacl) a
                   WHERE d.defaclrole = %s::regrole AND a.grantee <> d.defaclrole""",
                (SUPERUSER,)).fetchall():
                kind = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS",
                        "T": "TYPES"}[objtype]
                conn.execute(sql.SQL(
                    "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON {} TO {}"
                ).format(app, sql.Identifier(schema), sql.SQL(privilege), sql.SQL(kind),
                         sql.SQL(grantee)))


def close_databases(c: Cluster) -> None:
    """No database of the cluster is open to every login: CONNECT is taken from PUBLIC
    (owners and the superuser keep it); `monev access` gives the warehouse's to the BI
    groups. A BI login can then reach neither `postgres` nor Airflow's metadata."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(c.admin_url("postgres"), autocommit=True) as conn:
        for (name,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datallowconn AND EXISTS ("
                " SELECT 1 FROM aclexplode(coalesce(datacl, acldefault('d', datdba))) a"
                " WHERE a.grantee = 0 AND a.privilege_type = 'CONNECT')").fetchall():
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(
                sql.Identifier(name)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(DATABASE), sql.SQL(", ").join(map(sql.Identifier, BI_GROUPS))))


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


def ensure_database(server_url: str, name: str, owner: str | None = None) -> None:
    """Create database `name` on the server `server_url` points at (any database of it),
    unless it exists: the warehouse on the embedded cluster, Airflow's metadata database
    next to the warehouse on either kind of server."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            owned = sql.SQL(" OWNER {}").format(sql.Identifier(owner)) if owner else sql.SQL("")
            conn.execute(sql.SQL("CREATE DATABASE {}{}").format(sql.Identifier(name), owned))
            # its owner and the superuser connect; BI logins only where granted
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(
                sql.Identifier(name)))


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

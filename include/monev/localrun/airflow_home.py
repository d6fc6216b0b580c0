"""Airflow's home, configuration and metadata database for local runs.

Airflow reads its configuration when it is first imported, so :func:`configure` sets
the environment BEFORE anything imports `airflow`; every local entry point (the runner,
`monev airflow`, the DAG tests) calls it first. In the compose deployment the variables
come from `.env` first (what the environment says wins) and only airflow-init runs this.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from monev.config import PROJECT_ROOT, settings

DAGS_FOLDER = PROJECT_ROOT / "dags"


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or settings().state_dir / "airflow")


def metadata_url() -> str:
    """SQLAlchemy URL of Airflow's metadata database: its own database next to the
    warehouse (the application role creates and owns it), never the warehouse database
    itself."""
    explicit = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if explicit:
        return explicit
    from sqlalchemy.engine import make_url

    from monev.warehouse import cluster, db

    base = db.warehouse_url()
    name = settings().airflow_db
    cluster.ensure_database(base, name)
    return make_url(base).set(database=name, drivername="postgresql+psycopg").render_as_string(
        hide_password=False
    )


def warehouse_conn_uri() -> str:
    """The warehouse as an Airflow connection URI (cosmos and hooks read it). Airflow
    connections carry their password (cosmos' profile mapping insists on one): the
    embedded cluster's is read from its passfile into this process environment only."""
    from sqlalchemy.engine import make_url

    from monev.warehouse import cluster, db

    url = make_url(db.warehouse_url())
    passfile = url.query.get("passfile")
    if passfile and not url.password:
        url = url.difference_update_query(["passfile"]).set(
            password=cluster.read_passfile(Path(str(passfile))))
    return url.set(drivername="postgres").render_as_string(hide_password=False)


def configure(metadata: str | None = None) -> Path:
    """Point Airflow at its local home, the repo's dags/ and its metadata database.
    Must run before the first `import airflow` in the process."""
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    metadata = metadata or metadata_url()
    env = {
        "AIRFLOW_HOME": str(home),
        # an image mounts dags/ elsewhere (compose: /opt/airflow/dags)
        "AIRFLOW__CORE__DAGS_FOLDER": os.environ.get("AIRFLOW__CORE__DAGS_FOLDER",
                                                     str(DAGS_FOLDER)),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # plugins/: the front door to dashboards, reports, dbt docs and GX Data Docs
        "AIRFLOW__CORE__PLUGINS_FOLDER": os.environ.get("AIRFLOW__CORE__PLUGINS_FOLDER",
                                                        str(PROJECT_ROOT / "plugins")),
        # paused DAGs get no asset-triggered runs queued: the pipeline is meant to run
        # (a test of the service alone may say otherwise)
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": os.environ.get(
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False"),
        "AIRFLOW__CORE__EXECUTOR": os.environ.get("AIRFLOW__CORE__EXECUTOR", "LocalExecutor"),
        # sized for a 2-core machine: 4 task processes at most (one load, one dbt build,
        # one report build and a sensor), not Airflow's 32
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
        # Airflow would derive an asyncpg URL; psycopg 3 does async itself.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata.replace(
            "postgresql+psycopg://", "postgresql+psycopg_async://"
        ),
        # INFO: task logs say what each task did (files, batches, rows, periods)
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get(
            "AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"
        ),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        # cosmos' cache holds dbt's partial-parse file between model tasks: without it
        # every task re-parses the whole project (~5 s each).
        "AIRFLOW__COSMOS__ENABLE_CACHE": "True",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos_cache"),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__PROPAGATE_LOGS": "False",
        "AIRFLOW_CONN_MONEV_WAREHOUSE": os.environ.get("AIRFLOW_CONN_MONEV_WAREHOUSE")
        or warehouse_conn_uri(),
        **auth_environment(),
    }
    os.environ.update(env)
    os.environ.setdefault("MONEV_STATE_DIR", str(settings().state_dir))
    # Airflow writes airflow.cfg (Fernet key, secret key, JWT secret) on first import:
    # its owner only, whatever the umask was
    cfg = home / "airflow.cfg"
    if cfg.exists() and cfg.stat().st_mode & 0o077:
        cfg.chmod(0o600)
    return home


def _stamp(home: Path) -> Path:
    return home / ".db_migrated"


def _fingerprint(url: str) -> str:
    # the stamp only has to tell one metadata database from another: a hash of the URL,
    # never the URL (it may carry a password)
    return "sha256:" + hashlib.sha256(url.encode()).hexdigest()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600 from its creation: no moment at the
    umask's mode), replacing what was there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """A secret kept in a 0600 file: generated once, the same value ever after (an
    existing file of a looser mode is tightened)."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path.read_text().strip()
    write_private(path, make() + "\n")
    return path.read_text().strip()


# --- who may use the api-server -------------------------------------------------------
# Airflow's simple auth manager with real users on every interface: the users come from
# AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS (default one admin), their passwords from a
# JSON file under the state folder that monev generates once, mode 0600 (Airflow would
# create it itself, but readable by everyone).
DEFAULT_USERS = "admin:admin"


def passwords_file() -> Path:
    explicit = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    return Path(explicit) if explicit else settings().state_dir / "secrets" / "airflow_users.json"


def _usernames() -> list[str]:
    users = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS") or DEFAULT_USERS
    return [u.split(":")[0].strip() for u in users.split(",") if u.strip()]


def ensure_logins() -> dict[str, str]:
    """Every configured Airflow user with a password in the 0600 passwords file; returns
    the users whose password was generated just now (to be printed once)."""
    path = passwords_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    current: dict[str, str] = {}
    if path.exists():
        text = path.read_text().strip()
        current = json.loads(text) if text else {}
    new = {u: secrets.token_urlsafe(18) for u in _usernames() if u not in current}
    if new or not path.exists():
        write_private(path, json.dumps({**current, **new}) + "\n")
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return new


def login() -> tuple[str, str]:
    """The first configured user and its password (what tests and scripts log in with)."""
    user = _usernames()[0]
    return user, json.loads(passwords_file().read_text())[user]


def auth_environment() -> dict[str, str]:
    """Airflow's auth settings: the simple auth manager, its users and passwords file —
    never SIMPLE_AUTH_MANAGER_ALL_ADMINS (an admin token for anyone who asks)."""
    return {
        "AIRFLOW__CORE__AUTH_MANAGER": os.environ.get(
            "AIRFLOW__CORE__AUTH_MANAGER",
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS":
            os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS") or DEFAULT_USERS,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
    }


def migrate_metadata(force: bool = False) -> float:
    """`airflow db migrate` once per metadata database (it takes tens of seconds);
    returns the seconds it took, 0 when the stamp says it is already done."""
    home = airflow_home()
    stamp = _stamp(home)
    url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    done = stamp.exists() and stamp.read_text() == _fingerprint(url)
    if not force and done and _has_schema():
        return 0.0
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True, env=os.environ.copy(), capture_output=True, text=True,
    )
    write_private(stamp, _fingerprint(url))
    return time.monotonic() - t0


def _has_schema() -> bool:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).set(drivername="postgresql")
    try:
        with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
            row = conn.execute("SELECT to_regclass('public.alembic_version')").fetchone()
            return row is not None and row[0] is not None
    except Exception:
        return False

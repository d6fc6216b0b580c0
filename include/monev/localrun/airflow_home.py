"""Airflow's home, configuration and metadata database for local runs.

Airflow reads its configuration when it is first imported, so :func:`configure` sets
the environment BEFORE anything imports `airflow`; every local entry point (the runner,
`monev airflow`, the DAG tests) calls it first. In the compose deployment the variables
come from `.env` first (what the environment says wins) and only airflow-init runs this.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from monev.config import PROJECT_ROOT, settings

DAGS_FOLDER = PROJECT_ROOT / "dags"


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or settings().state_dir / "airflow")


def metadata_url() -> str:
    """SQLAlchemy URL of Airflow's metadata database: its own database on the embedded
    cluster (or on the WAREHOUSE_URL server), never the warehouse database itself."""
    explicit = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if explicit:
        return explicit
    from sqlalchemy.engine import make_url

    from monev.warehouse import cluster, db

    base = db.warehouse_url()
    name = settings().airflow_db
    if settings().embedded:
        c = cluster.up()
        cluster.ensure_database(c.admin_url("postgres"), name)
        base = c.admin_url(name)
    else:
        cluster.ensure_database(base, name)
        base = make_url(base).set(database=name).render_as_string(hide_password=False)
    return make_url(base).set(drivername="postgresql+psycopg").render_as_string(
        hide_password=False
    )


def warehouse_conn_uri() -> str:
    """The warehouse as an Airflow connection URI (cosmos and hooks read it)."""
    from sqlalchemy.engine import make_url

    from monev.warehouse import db

    url = make_url(db.warehouse_url())
    if not url.password:
        # cosmos' profile mapping insists on a password; the embedded cluster trusts
        # loopback and ignores it.
        url = url.set(password="embedded")
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
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
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
    }
    os.environ.update(env)
    os.environ.setdefault("MONEV_STATE_DIR", str(settings().state_dir))
    return home


def _stamp(home: Path) -> Path:
    return home / ".db_migrated"


def migrate_metadata(force: bool = False) -> float:
    """`airflow db migrate` once per metadata database (it takes tens of seconds);
    returns the seconds it took, 0 when the stamp says it is already done."""
    home = airflow_home()
    stamp = _stamp(home)
    url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if not force and stamp.exists() and stamp.read_text() == url and _has_schema():
        return 0.0
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True, env=os.environ.copy(), capture_output=True, text=True,
    )
    stamp.write_text(url)
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

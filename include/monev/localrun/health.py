"""Cheap, honest health checks of the compose stack's components, and the Celery broker's
URL from its password file.

`airflow jobs check` and `celery inspect ping` import all of Airflow first: 12-20 s on a
two-core host under load, past any sensible healthcheck timeout. These test the same
things with only a database driver or Celery imported (well under a second):

- `python -m monev.localrun.health job DagProcessorJob|TriggererJob|SchedulerJob`:
  a running job of that type on this host heartbeated within MONEV_HEALTH_HEARTBEAT_SECONDS
  (default 90) — what `airflow jobs check` reads from the metadata database;
- `python -m monev.localrun.health worker`: this container's Celery worker (node
  `worker1@<hostname>`, as `monev airflow --only celery-worker` names it) answers a ping
  over the broker;
- `python -m monev.localrun.health broker-url`: prints the broker URL with the password
  read from MONEV_BROKER_PASSWORD_FILE (Airflow's AIRFLOW__CELERY__BROKER_URL_CMD), so
  the password is in no command line, environment variable or image layer.

Exit status 0 = healthy; otherwise the reason is printed.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from urllib.parse import quote

from monev.config import settings


def worker_node(i: int, host: str) -> str:
    """The Celery node name of worker `i` on `host` (`%h` for Celery to fill in)."""
    return f"worker{i}@{host}"


def broker_url() -> str:
    """redis://:<password>@<host>:<port>/0 from MONEV_BROKER_PASSWORD_FILE,
    MONEV_BROKER_HOST (default redis) and MONEV_BROKER_PORT (default 6379)."""
    cfg = settings()
    if cfg.broker_password_file is None:
        raise SystemExit("MONEV_BROKER_PASSWORD_FILE is not set")
    password = cfg.broker_password_file.read_text().strip()
    if not password:
        raise SystemExit("empty broker password file")
    return f"redis://:{quote(password, safe='')}@{cfg.broker_host}:{cfg.broker_port}/0"


def _configured_broker_url() -> str:
    """The broker URL Airflow uses: AIRFLOW__CELERY__BROKER_URL, else the output of
    AIRFLOW__CELERY__BROKER_URL_CMD (run the way Airflow runs it: no shell)."""
    url = os.environ.get("AIRFLOW__CELERY__BROKER_URL")
    if url:
        return url
    cmd = os.environ.get("AIRFLOW__CELERY__BROKER_URL_CMD")
    if not cmd:
        raise SystemExit("no AIRFLOW__CELERY__BROKER_URL(_CMD)")
    return subprocess.run(shlex.split(cmd), capture_output=True, text=True,
                          check=True).stdout.strip()


def check_worker(timeout: float = 8.0) -> str | None:
    from celery import Celery

    node = worker_node(1, socket.gethostname())
    app = Celery("monev-health", broker=_configured_broker_url())
    try:
        replies = app.control.ping(destination=[node], timeout=timeout)
    finally:
        app.close()
    if not any(node in r for r in replies):
        return f"Celery node {node} did not answer a ping (replies: {replies})"
    return None


def _airflow_hostname() -> str:
    """The name Airflow records its jobs under (airflow.utils.net.getfqdn, its default
    hostname_callable), without importing Airflow."""
    name = socket.gethostname()
    try:
        addrs = socket.getaddrinfo(name, None, 0, socket.SOCK_DGRAM, 0, socket.AI_CANONNAME)
    except OSError:
        return name
    return next((a[3] for a in addrs if a[3]), name)


def check_job(job_type: str) -> str | None:
    import psycopg

    url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    rest = url.split("://", 1)[1]
    dsn = "postgresql://" + rest  # postgresql+psycopg:// → libpq's form
    limit = settings().health_heartbeat_seconds
    hosts = sorted({_airflow_hostname(), socket.getfqdn(), socket.gethostname()})
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT extract(epoch FROM now() - max(latest_heartbeat)) FROM job"
            " WHERE job_type = %s AND state = 'running' AND hostname = ANY(%s)",
            (job_type, hosts)).fetchone()
    if row is None or row[0] is None:
        return f"no running {job_type} on {', '.join(hosts)}"
    if row[0] > limit:
        return f"{job_type}: last heartbeat {row[0]:.0f}s ago (limit {limit:.0f}s)"
    return None


def main(argv: list[str]) -> int:
    what = argv[0] if argv else ""
    if what == "broker-url":
        print(broker_url())
        return 0
    if what == "worker":
        problem = check_worker()
    elif what == "job" and len(argv) == 2:
        problem = check_job(argv[1])
    else:
        print("usage: python -m monev.localrun.health job <JobType> | worker | broker-url",
              file=sys.stderr)
        return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

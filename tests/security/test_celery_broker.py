"""The Celery topology as deployed (`monev airflow --celery-workers N --redis-port P`:
its private Redis and a worker, `--only redis --only celery-worker`), attacked from an
unprivileged local account (`nobody`):

- without the password the broker answers nothing but NOAUTH (it used to hand any local
  account the queued task messages — tokens included — and take forged ones); the
  password is in no process's argv and in no file `nobody` can read;
- a forged task message whose DAG file lies outside the deployed DAG folder (a file
  `nobody` wrote in /tmp, named by an absolute path or by `../`) is refused by the worker
  and never imported — it used to be, as the worker's account. The message is sent with
  the broker's password: the worker's check stands behind the password, not instead of
  it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from airflow_service import free_ports, service_env, wait_for
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.service  # the private Redis broker and a Celery worker

MONEV = Path(sys.executable).with_name("monev")


def _as_nobody(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           "--", *args], capture_output=True, text=True, cwd="/", timeout=60,
                          env={"PATH": "/usr/bin:/bin"}, input=stdin)


@pytest.fixture
def celery_service(server_url: str, warehouse: str, tmp_path: Path) -> Iterator[dict]:
    if os.geteuid() != 0:
        pytest.fail("this test plays another local account: run it as root (CI does)")
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (scripts/setup.sh installs it)")
    meta_db = f"airflow_celery_sec_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{meta_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{meta_db}"')
    meta_url = make_url(server_url).set(database=meta_db, drivername="postgresql+psycopg")
    home = tmp_path / "airflow_home"
    port = free_ports(8)
    env = service_env(warehouse, meta_url.render_as_string(hide_password=False), tmp_path,
                      AIRFLOW_HOME=str(home))
    cmd = [str(MONEV), "airflow", "--port", str(port), "--celery-workers", "1",
           "--redis-port", str(port + 7), "--only", "redis", "--only", "celery-worker"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)
    logs = home / "services"
    worker_log = logs / "celery-worker-1.log"
    try:
        wait_for("the Celery worker", lambda: worker_log.exists()
                 and " ready." in worker_log.read_text(errors="replace"), 300, proc, logs)
        yield {"redis_port": port + 7, "state": tmp_path / "state", "home": home,
               "worker_log": worker_log, "logs": logs, "proc": proc}
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{meta_db}" WITH (FORCE)')


def _broker_url(state: Path, port: int) -> str:
    """The broker's URL with its password (a broker without one, before it had one: the
    attack needed none)."""
    secret = state / "secrets" / "redis-broker.password"
    password = secret.read_text().strip() if secret.exists() else ""
    return f"redis://:{password}@127.0.0.1:{port}/0" if password else \
        f"redis://127.0.0.1:{port}/0"


def test_nobody_cannot_use_the_broker(celery_service: dict) -> None:
    port = str(celery_service["redis_port"])
    for command in (["PING"], ["KEYS", "*"], ["LPUSH", "default", "forged"]):
        out = _as_nobody(["redis-cli", "-h", "127.0.0.1", "-p", port, *command])
        assert "NOAUTH" in out.stdout + out.stderr, (command, out.stdout, out.stderr)
    # the password: 0600 files in 0700 folders, in no process's argv
    secret_file = celery_service["state"] / "secrets" / "redis-broker.password"
    conf = celery_service["home"] / "redis" / "redis.conf"
    for f in (secret_file, conf):
        assert f.stat().st_mode & 0o777 == 0o600 and f.parent.stat().st_mode & 0o777 == 0o700
        assert _as_nobody(["cat", str(f)]).returncode != 0
    password = secret_file.read_text().strip()
    assert len(password) >= 32 and f"requirepass {password}" in conf.read_text()
    argvs = []
    for p in psutil.process_iter(["cmdline"]):
        argvs.append(" ".join(p.info["cmdline"] or []))
    assert any("redis-server" in a for a in argvs)
    assert not [a for a in argvs if password in a]
    # with the password the broker answers (the components use it)
    ok = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "--no-auth-warning",
                         "-a", password, "PING"], capture_output=True, text=True, timeout=60)
    assert ok.stdout.strip() == "PONG"


def _forged(dag_rel_path: str, module: str) -> str:
    """An executor callback whose callable is a module of the DAG file at `dag_rel_path`
    (Airflow imports such a file by its path: the `unusual_prefix_` of callbacks defined
    in a DAG file)."""
    return json.dumps({
        "type": "ExecuteCallback", "token": "", "dag_rel_path": dag_rel_path,
        "bundle_info": {"name": "dags-folder", "version": None}, "log_path": None,
        "callback": {"id": str(uuid.uuid4()), "fetch_method": "import_path",
                     "data": {"path": f"unusual_prefix_{module}.run", "kwargs": {}}}})


def test_a_forged_message_outside_the_dag_folder_is_not_run(celery_service: dict) -> None:
    from celery import Celery

    # nobody's own file, in a folder of its own
    evil_dir = Path(tempfile.mkdtemp(prefix="monev-evil-"))
    try:
        os.chown(evil_dir, *_nobody_ids())
        marker = evil_dir / "imported"
        code = f"open({str(marker)!r}, 'a').write(str(__import__('os').getuid()))\n"
        wrote = _as_nobody(["tee", str(evil_dir / "evil.py")], stdin=code)
        assert wrote.returncode == 0, wrote.stderr
        dags = Path(__file__).resolve().parents[2] / "dags"
        escape = os.path.relpath(evil_dir / "evil.py", dags)  # ../../tmp/…/evil.py
        app = Celery(broker=_broker_url(celery_service["state"], celery_service["redis_port"]))
        log = celery_service["worker_log"]
        for rel in (str(evil_dir / "evil.py"), escape):
            app.send_task("execute_workload", args=[_forged(rel, "evil")], queue="default")
        wait_for("the worker to take both messages", lambda: len(re.findall(
            r"execute_workload\[[0-9a-f-]+\] (?:raised|succeeded|received)",
            log.read_text(errors="replace"))) >= 4, 180, celery_service["proc"],
            celery_service["logs"])
        text = log.read_text(errors="replace")
        assert not marker.exists(), f"the worker imported {evil_dir}/evil.py"
        assert text.count("refused a workload from the broker") == 2, text[-3000:]
        assert "is not a DAG file of bundle 'dags-folder'" in text
    finally:
        shutil.rmtree(evil_dir, ignore_errors=True)


def _nobody_ids() -> tuple[int, int]:
    import pwd

    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid

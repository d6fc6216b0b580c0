"""The compose tier: the deployed stack is the tested stack (issue 30).

The project's image is built from the repository's Dockerfile (only its base swapped for
a local stand-in: nothing can be pulled here, see infra.py), and docker-compose.yml
brings the whole topology up from empty volumes under its own project name, its ports
on 127.0.0.1 only, with AIRFLOW_UID not 50000 and the landing/reports bind mounts not
created beforehand (the daemon makes them, root's). Then, as its users would:

- every service reaches *healthy* and nothing restarts;
- a generated small month dropped into the landing folder is taken by the scheduler
  (nobody triggers anything) through ingest, dbt and the reports, two Celery workers
  (`--scale airflow-worker=2`) both running tasks; the national report's figure equals
  the mart's;
- every published port answers on 127.0.0.1 only and asks for a login; the broker's
  password is in no container's command line or environment, nor in an image layer;
- `monev access grant-province` run in the stack: the login sees its province only in
  SQL and signs in to Superset with the same password; revoke ends both;
- `docker-compose down` then `up` keeps the data and runs nothing again.

Everything is torn down afterwards (containers, volumes, networks); a daemon the tier
started is stopped and the host's packet filter, docker0 and forwarding put back.
Each phase prints its duration (`compose tier: …`).

It is part of `make test` (and CI); `make test-compose` (`pytest -m compose`) runs it
alone.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import infra
import psycopg
import pytest

pytestmark = pytest.mark.compose

PERIODE = "2025-01"
UID = 50123  # not the image's 50000: every volume must still be writable
HEALTHY_S = 900
MONTH_S = 1500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    project: str
    env_file: Path
    env: dict[str, str]
    landing: Path
    reports: Path

    def compose(self, *args: str, check: bool = True, quiet: bool = True,
                timeout: float = 900, input: str | None = None
                ) -> subprocess.CompletedProcess:
        return infra.run("docker-compose", "-p", self.project, "--env-file", str(self.env_file),
                         "-f", str(infra.ROOT / "docker-compose.yml"), *args, check=check,
                         quiet=quiet, cwd=infra.ROOT, timeout=timeout, input=input,
                         env={**os.environ, "COMPOSE_PROJECT_NAME": self.project})

    def containers(self) -> list[dict]:
        ids = infra.run("docker", "ps", "-aq", "--filter",
                        f"label=com.docker.compose.project={self.project}",
                        quiet=True).stdout.split()
        if not ids:
            return []
        return json.loads(infra.run("docker", "inspect", *ids, quiet=True).stdout)

    def url(self, service: str) -> str:
        port = {"airflow": "AIRFLOW_HOST_PORT", "superset": "SUPERSET_HOST_PORT",
                "reports": "REPORTS_SITE_PORT"}[service]
        return f"http://127.0.0.1:{self.env[port]}/"

    def db(self, database: str) -> str:
        user, password = {
            "monev": ("monev", self.env["WAREHOUSE_DB_PASSWORD"]),
            "airflow": ("airflow", self.env["AIRFLOW_DB_PASSWORD"]),
        }[database]
        return (f"postgresql://{user}:{password}@127.0.0.1:{self.env['POSTGRES_HOST_PORT']}"
                f"/{database}")

    def q(self, database: str, sql: str, *args: object) -> list[tuple]:
        with psycopg.connect(self.db(database), connect_timeout=10) as conn:
            return conn.execute(sql, args).fetchall()


def _service(c: dict) -> str:
    return c["Config"]["Labels"]["com.docker.compose.service"]


def _wait(what: str, ready, timeout: float, stack: Stack, every: float = 5.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if ready():
            return
        time.sleep(every)
    logs = stack.compose("logs", "--no-color", "--tail", "60", check=False).stdout
    pytest.fail(f"{what}: not within {timeout:.0f}s\n{logs[-20000:]}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    infra.CACHE.mkdir(exist_ok=True)
    t0 = time.monotonic()
    before = infra.host_state() if not infra._daemon_answers() else None
    with infra.docker_daemon():
        infra.build_bases()
        infra.build_image(label="cold or cached")
        infra.build_image(label="cached")  # the second build: every layer from the cache
        size = infra.run("docker", "image", "inspect", "-f", "{{.Size}}", infra.IMAGE,
                         quiet=True).stdout.strip()
        infra.FIGURES["image size"] = f"{int(size) / 1e9:.2f} GB"
        work = tmp_path_factory.mktemp("compose")
        env = {
            "POSTGRES_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
            "AIRFLOW_DB_PASSWORD": secrets.token_urlsafe(16),
            "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(24),
            "AIRFLOW_FERNET_KEY": _fernet_key(),
            "WAREHOUSE_DB_PASSWORD": secrets.token_urlsafe(16),
            "SUPERSET_DB_PASSWORD": secrets.token_urlsafe(16),
            "MONEV_BI_PASSWORD": secrets.token_urlsafe(16),
            "MONEV_PSEUDONYM_KEY": secrets.token_urlsafe(16),
            "AIRFLOW_UID": str(UID),
            "MONEV_AIRFLOW_IMAGE": infra.IMAGE,
            "MONEV_POSTGRES_IMAGE": infra.POSTGRES,
            "MONEV_REDIS_IMAGE": infra.REDIS,
            # neither exists yet: the daemon creates them (root's), airflow-init hands over
            "MONEV_LANDING_DIR": str(work / "landing"),
            "MONEV_REPORTS_HOST_DIR": str(work / "reports"),
            "MONEV_POLL_MINUTES": "0.5",
            "MONEV_PUBLISH_ADDR": "127.0.0.1",
            "AIRFLOW_HOST_PORT": str(_free_port()),
            "SUPERSET_HOST_PORT": str(_free_port()),
            "REPORTS_SITE_PORT": str(_free_port()),
            "POSTGRES_HOST_PORT": str(_free_port()),
            "AIRFLOW_WORKER_CONCURRENCY": "2",
        }
        env_file = work / ".env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        env_file.chmod(0o600)
        st = Stack(f"monevtier{os.getpid()}", env_file, env, work / "landing", work / "reports")
        try:
            with infra.phase("stack to healthy"):
                up = st.compose("up", "-d", "--no-build", "--scale", "airflow-worker=2",
                                check=False)
                if up.returncode != 0:
                    logs = st.compose("logs", "--no-color", "--tail", "80", check=False).stdout
                    pytest.fail(f"docker-compose up: {up.stderr[-3000:]}\n{logs[-20000:]}")
                _wait("every service healthy", lambda: _all_healthy(st), HEALTHY_S, st)
            yield st
        finally:
            with infra.phase("tear down"):
                st.compose("down", "-v", "--remove-orphans", "--timeout", "30", check=False)
            shutil.rmtree(work, ignore_errors=True)
            left = infra.run("docker", "ps", "-aq", "--filter",
                             f"label=com.docker.compose.project={st.project}",
                             quiet=True).stdout.split()
            volumes = infra.run("docker", "volume", "ls", "-q", "--filter",
                                f"label=com.docker.compose.project={st.project}",
                                quiet=True).stdout.split()
            assert left == [] and volumes == [], (left, volumes)
    if before is not None:
        assert infra.host_state() == before, "the host is not as the tier found it"
    infra.TIMES["total"] = time.monotonic() - t0


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _all_healthy(st: Stack) -> bool:
    containers = st.containers()
    services = {_service(c) for c in containers}
    if "airflow-init" in services:
        init = next(c for c in containers if _service(c) == "airflow-init")
        if init["State"]["Status"] == "exited" and init["State"]["ExitCode"] != 0:
            pytest.fail("airflow-init failed:\n" + st.compose(
                "logs", "--no-color", "airflow-init", check=False).stdout[-20000:])
    running = [c for c in containers if _service(c) != "airflow-init"]
    return len(running) >= 11 and all(
        c["State"].get("Health", {}).get("Status") == "healthy" for c in running)


def test_every_service_healthy_and_nothing_restarts(stack: Stack) -> None:
    containers = stack.containers()
    by_service: dict[str, list[dict]] = {}
    for c in containers:
        by_service.setdefault(_service(c), []).append(c)
    assert set(by_service) == {
        "postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
        "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "superset", "mail",
        "reports-site"}
    assert len(by_service["airflow-worker"]) == 2
    init = by_service.pop("airflow-init")[0]["State"]
    assert (init["Status"], init["ExitCode"]) == ("exited", 0)
    for name, cs in by_service.items():
        for c in cs:
            assert c["State"]["Health"]["Status"] == "healthy", name
            assert c["RestartCount"] == 0, name
            assert c["State"]["Status"] == "running", name
    # the components run as AIRFLOW_UID (not the image's user) and could write everything
    assert by_service["airflow-dag-processor"][0]["Config"]["User"] == f"{UID}:0"
    for folder in (stack.landing, stack.reports):
        assert folder.stat().st_uid == UID, folder


def test_a_dropped_month_runs_through_the_scheduler_and_two_workers(stack: Stack) -> None:
    from monev.synthetic import generate

    generated = stack.landing.parent / "generated"
    generate(generated, PERIODE, PERIODE, scale="small", seed=11)
    (generated / "MANIFEST.json").unlink(missing_ok=True)
    shutil.rmtree(generated / "bad", ignore_errors=True)
    # appear whole, as a delivery does: written beside, owned by the stack's user, renamed in
    staging = stack.landing / ".incoming"
    shutil.copytree(generated, staging)
    for f in [staging, *staging.rglob("*")]:
        os.chown(f, UID, 0)
    t_drop = time.monotonic()
    with infra.phase("month to national report"):
        for f in sorted(staging.rglob("*")):
            if f.is_file():
                target = stack.landing / f.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chown(target.parent, UID, 0)
                f.rename(target)
        shutil.rmtree(staging)

        def reports_done() -> bool:
            try:
                built = stack.q("monev", "SELECT count(*) FROM audit.report_runs WHERE periode"
                                " = %s AND scope = 'NASIONAL' AND status IN ('built', 'sent')",
                                f"{PERIODE}-01")[0][0]
                busy = stack.q("airflow", "SELECT count(*) FROM dag_run WHERE state IN"
                               " ('queued', 'running') AND dag_id <> 'watch_late_extracts'"
                               )[0][0]
            except psycopg.Error:
                return False
            return built > 0 and busy == 0

        _wait("the month's national report", reports_done, MONTH_S, stack, every=10)
    infra.FIGURES["drop → national report"] = f"{time.monotonic() - t_drop:.0f} s"

    # nobody triggered anything: every run the scheduler's own
    triggered = stack.q("airflow", "SELECT dag_id, run_type FROM dag_run WHERE run_type ="
                        " 'manual'")
    assert triggered == []
    assert stack.q("airflow", "SELECT dag_id, state FROM dag_run WHERE state = 'failed'") == []
    # both workers ran tasks
    hosts = {h for (h,) in stack.q("airflow", "SELECT DISTINCT hostname FROM task_instance"
                                   " WHERE state = 'success' AND hostname <> ''")}
    workers = {c["Config"]["Hostname"] for c in stack.containers()
               if _service(c) == "airflow-worker"}
    assert len(workers) == 2
    assert {h.split(".")[0] for h in hosts} >= workers, (hosts, workers)
    # one transform, one national report, built once
    assert stack.q("airflow", "SELECT count(*) FROM dag_run WHERE dag_id ="
                   " 'transform_warehouse'")[0][0] == 1

    # the national report's figure equals the mart
    from openpyxl import load_workbook

    aktif = stack.q("monev", "SELECT peserta_aktif FROM marts.mart_monev_wilayah_bulanan"
                    " WHERE periode = %s AND kode_wilayah = '00'", f"{PERIODE}-01")[0][0]
    xlsx = stack.reports / PERIODE / f"monev_nasional_{PERIODE}.xlsx"
    ws = load_workbook(xlsx)["Capaian"]
    first = next(ws.iter_rows(min_row=2, values_only=True))
    assert first[1] == aktif, (first, aktif)


def _status(url: str, auth: tuple[str, str] | None = None) -> int:
    req = urllib.request.Request(url)
    if auth:
        import base64

        req.add_header("Authorization", "Basic " + base64.b64encode(
            f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def test_published_ports_only_on_loopback_and_each_asks_for_a_login(stack: Stack) -> None:
    published = {}
    for c in stack.containers():
        for _, binds in (c["NetworkSettings"]["Ports"] or {}).items():
            for b in binds or []:
                published.setdefault(_service(c), set()).add(b["HostIp"])
    assert set(published) == {"postgres", "airflow-apiserver", "superset", "reports-site"}
    assert all(ips == {"127.0.0.1"} for ips in published.values()), published
    # Airflow's API and the reports site refuse a request without a login
    assert _status(stack.url("airflow") + "api/v2/dags") == 401
    assert _status(stack.url("reports")) == 401
    assert _status(stack.url("reports"), ("monev", "wrong")) == 401
    password = stack.compose("exec", "-T", "reports-site", "cat",
                             "/opt/airflow/monev_state/secrets/reports-site.password"
                             ).stdout.strip()
    assert _status(stack.url("reports"), ("monev", password)) == 200
    # Superset: its API wants a login
    assert _status(stack.url("superset") + "api/v1/dashboard/") == 401
    # the warehouse refuses a login without the password
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://monev:wrong@127.0.0.1:{stack.env['POSTGRES_HOST_PORT']}"
                        "/monev", connect_timeout=10).close()


def test_the_broker_password_is_in_no_command_line_environment_or_layer(stack: Stack) -> None:
    redis = next(c for c in stack.containers() if _service(c) == "redis")
    password = stack.compose("exec", "-T", "redis", "cat", "/run/monev-broker/password"
                             ).stdout.strip()
    assert len(password) >= 32
    # Redis refuses a client without it
    ping = stack.compose("exec", "-T", "redis", "redis-cli", "ping", check=False)
    assert "NOAUTH" in ping.stdout + ping.stderr
    for c in stack.containers():
        config = json.dumps([c["Config"].get("Cmd"), c["Config"].get("Entrypoint"),
                             c["Config"].get("Env"), c["Args"], c["Path"]])
        assert password not in config, _service(c)
    top = infra.run("docker", "top", redis["Id"], "-o", "pid,args", quiet=True).stdout
    # (Redis retitles its process `redis-server *:6379`: the file is not in argv either)
    assert "redis-server" in top and password not in top
    for image in (infra.IMAGE, infra.REDIS):
        history = infra.run("docker", "history", "--no-trunc", image, quiet=True).stdout
        assert password not in history


def _superset_sign_in(stack: Stack, user: str, password: str) -> int:
    body = json.dumps({"username": user, "password": password, "provider": "db"}).encode()
    req = urllib.request.Request(stack.url("superset") + "api/v1/security/login", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_provincial_login_granted_in_the_stack_sees_its_province_only(stack: Stack) -> None:
    """`monev access grant-province` as the operator runs it in the stack: the login sees
    its province's rows (and the national ones) only, in SQL; revoke ends it."""
    mart = "marts.mart_monev_wilayah_bulanan"
    provinces = [p for (p,) in stack.q("monev", f"SELECT DISTINCT kode_wilayah FROM {mart}"
                                       " WHERE tingkat = 'PROVINSI' ORDER BY 1")]
    assert len(provinces) > 1
    prov, user, password = provinces[0], "bi_tier_prov", secrets.token_urlsafe(16)
    stack.compose("exec", "-T", "airflow-scheduler", "monev", "access", "grant-province",
                  user, prov, "--password-stdin", input=password + "\n")
    url = (f"postgresql://{user}:{password}@127.0.0.1:{stack.env['POSTGRES_HOST_PORT']}"
           "/monev")
    with psycopg.connect(url, connect_timeout=10) as conn:
        seen = {r[0] for r in conn.execute(
            f"SELECT DISTINCT kode_wilayah FROM {mart} WHERE tingkat = 'PROVINSI'")}
    assert seen == {prov}
    # Superset takes the warehouse's password (no Superset user was made by the grant)
    assert _superset_sign_in(stack, user, password) == 200
    stack.compose("exec", "-T", "airflow-scheduler", "monev", "access", "revoke", user)
    assert _superset_sign_in(stack, user, password) == 401
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            rows = conn.execute(f"SELECT count(*) FROM {mart}").fetchone()[0]
    except psycopg.Error:
        rows = None  # refused: the login or the mart is gone for it
    assert rows in (None, 0)


def test_down_and_up_keeps_the_data(stack: Stack) -> None:
    """`docker-compose down` (volumes kept) then `up`: healthy again, nothing lost, nothing
    run again."""
    def counts() -> tuple:
        return (stack.q("monev", "SELECT count(*) FROM marts.mart_monev_wilayah_bulanan")[0][0],
                stack.q("monev", "SELECT count(*) FROM audit.report_runs")[0][0],
                stack.q("airflow", "SELECT count(*) FROM dag_run WHERE dag_id IN"
                        " ('transform_warehouse', 'monthly_reports')")[0][0])

    before = counts()
    assert before[0] > 0
    with infra.phase("down and up"):
        stack.compose("down", "--timeout", "40")
        stack.compose("up", "-d", "--no-build", "--scale", "airflow-worker=2")
        _wait("every service healthy again", lambda: _all_healthy(stack), HEALTHY_S, stack)
    assert counts() == before

"""docker-compose.yml parses (Debian's docker-compose, no engine needed) with the
settings documented in .env.example, and has the services the deployment promises; the
checks that would have caught the defects of the stack as first run by hand (issue 30):
the worker's healthcheck pinging a node no worker has, its concurrency ignored,
healthchecks importing all of Airflow on two cores, the reports site unhealthy before
its first report, volumes only root or uid 50000 could write, no .dockerignore. The
stack itself runs in tests/compose."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import yaml

from monev.config import PROJECT_ROOT
from monev.localrun import health
from monev.localrun.services import Options, commands

COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose not installed")

SERVICES = {
    "postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
    "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "superset",
    "mail", "reports-site",
}


def _config(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMPOSE, "-f", "docker-compose.yml", "--env-file", ".env.example", "config", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )


def test_compose_validates_with_env_example() -> None:
    result = _config("-q")
    assert result.returncode == 0, result.stderr


def test_compose_services_and_scaling() -> None:
    import yaml

    result = _config()
    assert result.returncode == 0, result.stderr
    cfg = yaml.safe_load(result.stdout)
    assert set(cfg["services"]) == SERVICES
    worker = cfg["services"]["airflow-worker"]
    # `--scale airflow-worker=N` needs no fixed name and no host port
    assert "container_name" not in worker and not worker.get("ports")
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler",
                 "airflow-worker", "airflow-dag-processor", "airflow-triggerer", "superset",
                 "mail", "reports-site"):
        assert "healthcheck" in cfg["services"][name], name
    env = cfg["services"]["airflow-scheduler"]["environment"]
    assert "/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["WAREHOUSE_URL"].endswith("/monev")  # metadata and warehouse apart
    volumes = " ".join(str(v) for v in cfg["services"]["airflow-worker"]["volumes"])
    assert "/opt/airflow/landing" in volumes and "/opt/airflow/reports" in volumes


def test_init_runs_the_project_set_up() -> None:
    """airflow-init sets up through the same `prepare()` as `monev run` (`monev airflow
    --init`) and makes the BI login with the project's access command, no script of its
    own."""
    import yaml

    result = _config()
    assert result.returncode == 0, result.stderr
    script = " ".join(yaml.safe_load(result.stdout)["services"]["airflow-init"]["command"])
    assert "monev airflow --init" in script
    assert "monev access grant-national" in script
    assert "python " not in script


def _services() -> dict:
    result = _config()
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def _healthcheck(service: dict) -> list[str]:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, list) else ["CMD-SHELL", test]


def _compose_worker_argv() -> list[str]:
    """The argv `monev airflow --only celery-worker` (compose's worker) starts."""
    cmds = commands(Options(executor="celery", celery_workers=1, only=("celery-worker",)))
    assert list(cmds) == ["celery-worker-1"]
    return cmds["celery-worker-1"]


def test_the_worker_healthcheck_pings_the_node_the_launcher_names() -> None:
    """Defect 1: the check pinged celery@$HOSTNAME while the worker is worker1@…."""
    argv = _compose_worker_argv()
    launched = argv[argv.index("--celery-hostname") + 1]
    check = " ".join(_healthcheck(_services()["airflow-worker"])[1:])
    assert check == "python -m monev.localrun.health worker", check
    assert health.worker_node(1, "%h") == launched


def test_the_worker_concurrency_setting_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 2: --concurrency 2 was passed whatever AIRFLOW_WORKER_CONCURRENCY said."""
    worker = _services()["airflow-worker"]
    assert worker["environment"]["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"
    monkeypatch.setenv("AIRFLOW__CELERY__WORKER_CONCURRENCY", "5")
    argv = _compose_worker_argv()
    assert argv[argv.index("--concurrency") + 1] == "5"
    monkeypatch.delenv("AIRFLOW__CELERY__WORKER_CONCURRENCY")
    argv = _compose_worker_argv()
    assert argv[argv.index("--concurrency") + 1] == "2"  # the local default, two cores


def test_no_healthcheck_imports_airflow() -> None:
    """Defect 3: `airflow jobs check` / `celery --app airflow… inspect ping` import all of
    Airflow (12-20 s on two cores at load): every check is a cheap probe."""
    for name, svc in _services().items():
        if "healthcheck" not in svc:
            continue
        check = " ".join(_healthcheck(svc)[1:])
        assert not re.search(r"(^|[\s;|&(])(airflow|celery)\s", check), (name, check)
        assert "--app airflow" not in check, (name, check)


def test_the_reports_site_is_healthy_before_its_first_report() -> None:
    """Defect 4: nginx answered 404 (unhealthy) until a report existed. The site is
    `monev reports serve`, which asks for its login (i29: it had none); the check
    wants exactly that answer on an empty archive."""
    site = _services()["reports-site"]
    assert site["entrypoint"][2:5] == ["monev", "reports", "serve"]
    check = " ".join(_healthcheck(site)[1:])
    assert "401" in check and "http://127.0.0.1:8000/" in check


def test_the_reports_site_asks_for_a_login_on_an_empty_archive(tmp_path: Path) -> None:
    import threading
    import urllib.error
    import urllib.request

    from monev.reports.serve import make_server

    server = make_server(tmp_path, 0, "pw")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10)
        assert err.value.code == 401
    finally:
        server.shutdown()
        server.server_close()


def test_every_volume_a_component_writes_is_handed_to_airflow_uid() -> None:
    """Defect 6: only the state volume was chowned, so any AIRFLOW_UID but 50000 could not
    write the logs, and bind mounts the daemon created stayed root's."""
    services = _services()
    script = "\n".join(services["airflow-init"]["command"])
    writable = set()
    for name, svc in services.items():
        if name == "airflow-init" or str(svc.get("user", "")).split(":")[0] in ("", "0"):
            continue
        for v in svc.get("volumes") or []:
            target = v["target"] if isinstance(v, dict) else str(v).split(":")[1]
            ro = v.get("read_only") if isinstance(v, dict) else str(v).endswith(":ro")
            if not ro:
                writable.add(target)
    assert {"/opt/airflow/logs", "/opt/airflow/landing", "/opt/airflow/reports",
            "/opt/airflow/monev_state"} <= writable
    chowned = set(re.findall(r"(/opt/airflow/\w+|/run/monev-broker)", " ".join(
        line for line in script.splitlines() if "chown" in line or line.strip().startswith(
            "for d in"))))
    assert writable <= chowned, writable - chowned
    # a uid without a passwd entry still has a user name (Airflow's CLI refuses to run)
    assert services["airflow-scheduler"]["environment"]["USER"] == "airflow"
    # the uid the components run as, not the image's
    assert 'uid="${AIRFLOW_UID:-50000}"' not in script  # compose has interpolated it
    assert re.search(r'uid="50000"', script)


def _dockerignore_excludes(path: str) -> bool:
    """Docker's .dockerignore rule for one path: the last matching pattern wins (enough
    of its syntax for this file: `*`, `!dir/`, `**/name`, `dir/`)."""
    import fnmatch

    excluded = False
    for raw in (PROJECT_ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(p, pattern[3:]) for p in parts)
        else:
            hit = any(fnmatch.fnmatch(p, pattern) and p.count("/") == pattern.count("/")
                      for p in prefixes)
        if hit:
            excluded = not negate
    return excluded


def test_the_build_context_holds_only_what_the_image_copies() -> None:
    """Defect 7: no .dockerignore — every build sent the virtualenvs, the reports and
    the state folder with its secrets to the daemon (2.4 GB)."""
    assert (PROJECT_ROOT / ".dockerignore").exists()
    for secret in (".monev/secrets/pseudonym.key", ".venv/bin/python",
                   ".venv-superset/bin/python", "reports/2025-03/index.html",
                   "landing/x.csv", ".git/HEAD", ".env", ".compose-cache/wheels/a.whl",
                   "dbt_project/target/manifest.json", "include/monev/__pycache__/x.pyc"):
        assert _dockerignore_excludes(secret), secret
    copies = re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)\s", (PROJECT_ROOT / "Dockerfile").read_text(),
                        re.M)
    assert copies
    for src in copies:
        assert not _dockerignore_excludes(src), src


def test_base_images_are_arguments_defaulting_to_what_a_deployer_pulls() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "ARG AIRFLOW_BASE_IMAGE=apache/airflow:3.3.2-python3.11" in dockerfile
    assert re.search(r"^FROM \$\{AIRFLOW_BASE_IMAGE\}$", dockerfile, re.M)
    services = _services()
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7.2-bookworm"
    assert services["airflow-scheduler"]["build"]["args"]["AIRFLOW_BASE_IMAGE"] == (
        "apache/airflow:3.3.2-python3.11")


def test_one_postgresql_major_for_the_deployment_and_the_tests(server_url: str) -> None:
    with psycopg.connect(server_url) as conn:
        tested = conn.execute("SHOW server_version_num").fetchone()[0]
    deployed = _services()["postgres"]["image"].split(":")[1].split(".")[0]
    assert deployed == str(int(tested) // 10000)


def test_the_broker_asks_for_a_password_kept_off_command_lines() -> None:
    """i29 High 1 (compose): Redis had no password. It is generated by airflow-init into
    its own volume; Airflow reads the URL through a _CMD setting; no command line,
    variable or file in the image holds it."""
    services = _services()
    redis = services["redis"]
    conf = " ".join(redis["command"])
    assert "requirepass" in conf and "$(cat /run/monev-broker/password)" in conf
    assert "redis-server /tmp/redis.conf" in conf  # the password in a file, not argv
    for name, svc in services.items():
        env = svc.get("environment") or {}
        assert "AIRFLOW__CELERY__BROKER_URL" not in env, name
        if name.startswith("airflow-") and name != "airflow-init":
            assert env["AIRFLOW__CELERY__BROKER_URL_CMD"] == (
                "python -m monev.localrun.health broker-url"), name
    assert "/dev/urandom" in "\n".join(services["airflow-init"]["command"])


def test_the_broker_url_comes_from_the_password_file(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cr/t+x\n")
    monkeypatch.setenv("MONEV_BROKER_PASSWORD_FILE", str(secret))
    assert health.broker_url() == "redis://:s3cr%2Ft%2Bx@redis:6379/0"


def test_the_job_heartbeat_check(warehouse: str) -> None:
    """The DAG processor's and triggerer's check: Airflow's job table, read with psycopg
    only (Airflow is never imported), fresh heartbeat healthy, stale or absent not."""
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.job (job_type text, state text, hostname text,"
                     " latest_heartbeat timestamptz)")
        conn.execute("INSERT INTO public.job VALUES ('TriggererJob', 'running', %s, now()),"
                     " ('DagProcessorJob', 'running', %s, now() - interval '10 minutes')",
                     (health._airflow_hostname(), health._airflow_hostname()))
    url = "postgresql+psycopg://" + warehouse.split("://", 1)[1]
    probe = ("import sys; from monev.localrun import health; code = health.main(sys.argv[1:]);"
             " assert 'airflow' not in sys.modules; sys.exit(code)")

    def check(job_type: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", probe, "job", job_type],
                              capture_output=True, text=True, check=False,
                              env={"PATH": "/usr/bin:/bin",
                                   "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url})

    ok = check("TriggererJob")
    assert ok.returncode == 0, ok.stderr
    stale = check("DagProcessorJob")
    assert stale.returncode == 1 and "last heartbeat" in stale.stderr
    absent = check("SchedulerJob")
    assert absent.returncode == 1 and "no running SchedulerJob" in absent.stderr

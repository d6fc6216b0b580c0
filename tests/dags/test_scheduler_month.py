"""A month run by Airflow itself: `monev airflow` (the project's own start-up, real
scheduler, dag-processor, triggerer and api-server — no dag.test, no `monev run`) on an
empty landing folder; then a generated small month, with one file that the gate
rejects, is dropped into it. Nobody triggers anything. Asserted: the first screen is
green; every good file is loaded; one transform for the burst; each report scope built
once; the mart equals a direct build (ingest + `monev transform`) of the same files; the
rejection's alert is in audit.alerts; the Deadline Alert of watch_late_extracts fires
through the triggerer; SIGTERM stops every process the service started.
The same test runs with CeleryExecutor: a private Redis and two Celery workers."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import pytest
from airflow_service import free_ports as _free_ports
from airflow_service import running_airflow, service_env
from airflow_service import wait_for as _wait
from sqlalchemy.engine import make_url

PERIODE = "2025-01"
PSEUDONYM_KEY = "scheduler-test-key"
# Budget for drop → reports on a busy 2-core machine (the bench measures the real figure).
DEADLINE_S = 600


class Meta:
    """Read-only look at Airflow's metadata database (what the UI shows)."""

    def __init__(self, url: str):
        self.url = make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)

    def q(self, sql: str, *args: object) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, args).fetchall()

    def runs(self, dag_id: str, state: str | None = None) -> int:
        if state:
            return self.q("SELECT count(*) FROM dag_run WHERE dag_id = %s AND state = %s",
                          dag_id, state)[0][0]
        return self.q("SELECT count(*) FROM dag_run WHERE dag_id = %s", dag_id)[0][0]

    def busy(self) -> int:
        return self.q("SELECT count(*) FROM dag_run WHERE state IN ('queued', 'running')"
                      " AND dag_id <> 'watch_late_extracts'")[0][0]


def _direct_build(files: Path, url: str) -> None:
    """What a data engineer would run by hand: `monev ingest` the files, `monev transform`."""
    from monev.ingest.landing import Landing
    from monev.ingest.pipeline import ingest_file
    from monev.orchestration.ingest_tasks import _load_order
    from monev.transform import runner
    from monev.warehouse import db

    db.ensure_warehouse(url)
    for f in sorted(Landing(str(files)).list(), key=_load_order):
        ingest_file(files / f.relpath, publish=True)
    result = runner.build(url=url)
    assert result.success, result.failed


MART = "SELECT * FROM marts.mart_monev_wilayah_bulanan ORDER BY periode, kode_wilayah"


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The month, generated apart to be dropped in one go (the bad file is a _rev7 of
    it): the drop folder and the bad file's path in it; the same for both executors."""
    from monev.synthetic import generate

    root = tmp_path_factory.mktemp("month")
    generated = root / "generated"
    generate(generated, PERIODE, PERIODE, scale="small", seed=11, bad=("aktif_gt_terdaftar",))
    bad = sorted((generated / "bad").glob("kepesertaan_*.csv"))[0]
    drop = root / "drop"
    shutil.copytree(generated, drop, ignore=shutil.ignore_patterns("bad", "MANIFEST.json"))
    shutil.copy(bad, drop / bad.name)
    return drop, drop / bad.name


@pytest.fixture(scope="module")
def direct_mart(month: tuple[Path, Path], server_url: str, template_db: str,
                tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    """The mart of a direct build of the month's files, once for both executors."""
    from transform_support import module_warehouse

    state = tmp_path_factory.mktemp("direct_state")
    with module_warehouse(server_url, template_db, state) as url, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONEV_PSEUDONYM_KEY", PSEUDONYM_KEY)
        _direct_build(month[0], url)
        with psycopg.connect(url) as conn:
            return conn.execute(MART).fetchall()


@pytest.mark.landing
@pytest.mark.parametrize("executor", ["local", "celery"])
def test_month_completes_itself_under_the_scheduler(
    executor: str, month: tuple[Path, Path], direct_mart: list[tuple], airflow_metadata: str,
    warehouse: str, tmp_path: Path,
) -> None:
    if executor == "celery" and not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (scripts/setup.sh installs it)")
    drop, bad = month
    good = {f.relative_to(drop).as_posix() for f in drop.rglob("*") if f.is_file()} - {bad.name}

    meta_url = airflow_metadata
    landing = tmp_path / "landing"
    landing.mkdir()
    home = tmp_path / "airflow_home"
    port = _free_ports(8)
    env = service_env(warehouse, meta_url, tmp_path, MONEV_PSEUDONYM_KEY=PSEUDONYM_KEY,
                      AIRFLOW_HOME=str(home))
    args = ["--celery-workers", "2", "--redis-port", str(port + 7)] if executor == "celery" \
        else []
    cli = str(Path(sys.executable).with_name("monev"))
    meta = Meta(meta_url)
    started: list[psutil.Process] = []
    with running_airflow(env, port, *args) as service:
        proc, logs = service.proc, service.logs
        # first screen: the scheduler ran the poll on the empty landing, nothing is red
        _wait("a first ingest poll", lambda: _table(meta) and meta.runs("ingest_landing",
              "success") >= 1, 240, proc, logs)
        started = psutil.Process(proc.pid).children(recursive=True)
        assert meta.q("SELECT dag_id, state FROM dag_run WHERE state = 'failed'") == []
        assert meta.runs("transform_warehouse") == 0

        t_drop = time.monotonic()
        staging = landing / ".incoming"  # same filesystem: each file appears whole
        shutil.copytree(drop, staging)
        for f in sorted(staging.rglob("*")):
            if f.is_file():
                target = landing / f.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                f.rename(target)
        shutil.rmtree(staging)

        def reports_done() -> bool:
            with psycopg.connect(warehouse) as conn:
                n = conn.execute("SELECT count(*) FROM audit.report_runs WHERE periode = %s"
                                 " AND status IN ('built', 'sent')",
                                 (f"{PERIODE}-01",)).fetchone()[0]
            return n > 0 and meta.busy() == 0

        _wait("the month's reports", reports_done, DEADLINE_S, proc, logs)
        seconds = time.monotonic() - t_drop
        print(f"{executor}: drop → reports {seconds:.0f}s")
        # one more poll after everything settled: nothing may run again
        polls = meta.runs("ingest_landing", "success")
        _wait("a quiet poll", lambda: meta.runs("ingest_landing", "success") > polls + 1,
              120, proc, logs)
        assert meta.busy() == 0

        # the Deadline Alert of watch_late_extracts fires in the running triggerer: a
        # run for December 2024, whose extracts never came, is long past its due day
        trig = subprocess.run([cli, "airflow-cli", "dags", "trigger", "watch_late_extracts",
                               "-l", "2025-01-01T00:00:00+00:00"], env=env, text=True,
                              capture_output=True, timeout=180)
        assert trig.returncode == 0, trig.stderr[-3000:]
        _wait("the late-extract Deadline Alert", lambda: _alerts(warehouse, "late_extract"),
              240, proc, logs)
    # SIGTERM stopped everything the service started, and the port is free again
    out = service.output
    assert proc.returncode == 0, out
    assert "stopped" in out
    assert service.left == []
    time.sleep(1)
    alive = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [p.cmdline()[:4] for p in alive]
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "api-server port still answers"

    with psycopg.connect(warehouse) as conn:
        files = dict(conn.execute("SELECT relpath, status FROM audit.landing_files").fetchall())
        alerts = conn.execute("SELECT subject, body FROM audit.alerts WHERE kind = 'failure'"
                              ).fetchall()
        scopes = conn.execute("SELECT scope, count(*) FROM audit.report_runs"
                              " WHERE periode = %s GROUP BY scope", (f"{PERIODE}-01",)).fetchall()
        provinces = conn.execute("SELECT count(*) FROM raw.wilayah WHERE tingkat = 'PROVINSI'"
                                 ).fetchone()[0]
        late = conn.execute("SELECT subject, body FROM audit.alerts WHERE kind = 'late_extract'"
                            ).fetchall()
        complete = conn.execute("SELECT complete, missing_sources FROM audit.month_completeness"
                                " WHERE periode = %s", (PERIODE,)).fetchone()
    # every good file loaded, the bad one rejected, its alert recorded
    # (the region reference files equal the shipped ones, loaded before anything else)
    shipped = {"referensi/wilayah_bps.csv", "referensi/wilayah_perubahan.csv"}
    assert {k: v for k, v in files.items() if k != bad.name and k not in shipped} == \
        dict.fromkeys(good - shipped, "loaded")
    assert {files[k] for k in shipped & good} <= {"loaded", "duplicate"}
    assert files[bad.name] == "rejected"
    assert len(alerts) == 1 and "ingest_landing.load" in alerts[0][0], alerts
    assert bad.name in alerts[0][1] and "tk_aktif" in alerts[0][1]
    assert complete == (True, [])
    assert len(late) == 1 and "kepesertaan" in late[0][1], late
    # one transform for the burst, one report run per scope
    assert meta.runs("transform_warehouse") == 1
    assert meta.runs("transform_warehouse", "success") == 1
    assert all(n == 1 for _, n in scopes), scopes
    assert len(scopes) == provinces + 1
    built = meta.q("SELECT count(*) FROM task_instance WHERE dag_id = 'monthly_reports'"
                   " AND task_id = 'build_reports' AND state = 'success'")[0][0]
    assert built == 1
    assert meta.q("SELECT dag_id, state FROM dag_run WHERE state = 'failed'"
                  " AND dag_id <> 'ingest_landing'") == []
    # one asset event per published batch and one per marts build
    events = dict(meta.q("SELECT a.name, count(*) FROM asset_event e JOIN asset a"
                         " ON a.id = e.asset_id GROUP BY a.name"))
    assert events.pop("monev_landed") == 1 and events.pop("monev_marts") == 1
    assert sum(events.values()) == sum(v == "loaded" for v in files.values()), events

    # the scheduler's mart equals a direct build of the same files
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute(MART).fetchall()
    assert rows and rows == direct_mart


def _alerts(warehouse: str, kind: str) -> list[tuple]:
    with psycopg.connect(warehouse) as conn:
        return conn.execute("SELECT subject, body FROM audit.alerts WHERE kind = %s",
                            (kind,)).fetchall()


def _table(meta: Meta) -> bool:
    try:
        return bool(meta.q("SELECT to_regclass('public.dag_run')")[0][0])
    except psycopg.Error:
        return False

"""dbt's run results reach the warehouse and failures are visible, in both modes compared
for transform_warehouse. One task (deployed): every `dbt build` records its invocation
and one row per node in audit.dbt_* (the BI view is marts.mart_dbt_run_results); a
failing test and a failing model (SQL error) are recorded, named in the error the task
raises (what the Airflow UI shows), and the models downstream of the broken one are
skipped while the rest builds. cosmos WATCHER (bench only): the same failing model and
test show as red sensor tasks under the real scheduler."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

SELECT = ["mart_dbt_run_results"]


def test_every_build_records_its_nodes_and_a_failing_test(warehouse: str) -> None:
    from monev.transform.runner import build

    first = build(select=SELECT)
    assert first.success, [(n.name, n.message) for n in first.failed] or first.error
    with psycopg.connect(warehouse) as conn:
        recorded = conn.execute(
            "SELECT r.name, r.resource_type, r.status, r.execution_time_s"
            " FROM audit.dbt_node_results r JOIN audit.dbt_invocations i USING (invocation_id)"
            " WHERE i.success").fetchall()
        assert ("mart_dbt_run_results", "model", "success") in {r[:3] for r in recorded}
        assert all(r[3] is not None and r[3] >= 0 for r in recorded)
        # a node result no test allows: the mart's accepted_values test must fail
        conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                     " finished_at, success) VALUES ('bogus', 'build', now(), now(), true)")
        conn.execute("INSERT INTO audit.dbt_node_results (invocation_id, unique_id,"
                     " resource_type, name, status) VALUES ('bogus', 'x.y', 'bogus', 'y', 'ok')")
    second = build(select=SELECT)
    assert not second.success
    failed = [n.name for n in second.failed]
    assert any(name.startswith("accepted_values_mart_dbt_run_results_resource_type")
               for name in failed), failed
    with psycopg.connect(warehouse) as conn:
        row = conn.execute(
            "SELECT status, failures, invocation_success FROM marts.mart_dbt_run_results"
            " WHERE name LIKE 'accepted_values_mart_dbt_run_results_resource_type%%'"
            " ORDER BY invocation_finished_at DESC LIMIT 1").fetchone()
    assert row == ("fail", 1, False)


def test_failed_build_names_the_failing_node_for_the_ui(warehouse: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from monev.orchestration import dbt_group
    from monev.transform import runner

    real = runner.build
    with psycopg.connect(warehouse) as conn:
        conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                     " finished_at, success) VALUES ('bogus', 'build', now(), now(), true)")
        conn.execute("INSERT INTO audit.dbt_node_results (invocation_id, unique_id,"
                     " resource_type, name, status) VALUES ('bogus', 'x.y', 'bogus', 'y', 'ok')")
    # the task's own code path, on the one model this test needs (a whole-project
    # build is what the DAG runs; its failure reporting is the same)
    monkeypatch.setattr(runner, "build", lambda **kw: real(select=SELECT, **kw))
    with pytest.raises(AirflowFailException) as err:
        dbt_group.build_marts(["2025-01"])
    assert "accepted_values_mart_dbt_run_results_resource_type" in str(err.value)
    assert "fail" in str(err.value)


# a small chain of the project: the staging view of the gate's runs feeds
# mart_kesehatan_muatan; stg_audit__load_batches and mart_dbt_run_results stand beside it
CHAIN = ["stg_audit__validation_runs", "stg_audit__load_batches", "mart_kesehatan_muatan",
         "mart_dbt_run_results"]


@pytest.fixture
def broken_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the dbt project whose stg_audit__validation_runs has a SQL error."""
    from monev.config import reset_settings, settings

    copy = tmp_path / "dbt_project"
    shutil.copytree(settings().dbt_project_dir, copy,
                    ignore=shutil.ignore_patterns("target", "logs"))
    model = next(copy.rglob("stg_audit__validation_runs.sql"))
    model.write_text(model.read_text().replace("suite_version,", "no_such_column,"))
    monkeypatch.setenv("MONEV_DBT_PROJECT_DIR", str(copy))
    reset_settings()
    return copy


def test_failing_model_fails_the_task_named_recorded_downstream_skipped(
        warehouse: str, broken_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from monev.orchestration import dbt_group
    from monev.transform import runner

    real = runner.build
    monkeypatch.setattr(runner, "build", lambda **kw: real(select=CHAIN, **kw))
    with pytest.raises(AirflowFailException) as err:
        dbt_group.build_marts(["2025-01"])
    message = str(err.value)
    assert "model stg_audit__validation_runs: error" in message
    assert "no_such_column" in message  # dbt's own error, for the engineer
    assert "skipped, downstream of a failure: mart_kesehatan_muatan" in message
    with psycopg.connect(warehouse) as conn:
        status = dict(conn.execute(
            "SELECT r.name, r.status FROM audit.dbt_node_results r"
            " JOIN audit.dbt_invocations i USING (invocation_id)"
            " WHERE r.resource_type = 'model' AND i.command = 'build'").fetchall())
        invocation_ok = conn.execute("SELECT bool_and(success) FROM audit.dbt_invocations"
                                     " WHERE command = 'build'").fetchone()[0]
        built = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema IN ('staging', 'marts')")}
    assert status == {"stg_audit__validation_runs": "error", "mart_kesehatan_muatan": "skipped",
                      "stg_audit__load_batches": "success", "mart_dbt_run_results": "success"}
    assert invocation_ok is False
    # nothing else broken: the independent models were built, the broken one was not
    assert {"stg_audit__load_batches", "mart_dbt_run_results"} <= built
    assert not {"stg_audit__validation_runs", "mart_kesehatan_muatan"} & built


WATCHER_DAG = """
# an airflow DAG file (the DAG processor skips files without both words)
import sys
sys.path.insert(0, {bench!r})
from bench_transform_watcher import watcher_dag

watcher_dag("watcher_failures", select={select!r})
"""


def _free_port() -> int:
    """A port with the two after it free (`monev airflow` puts its log servers there)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if all(_port_free(p) for p in (port + 1, port + 2)):
            return port


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.service
def test_watcher_mode_shows_the_failing_model_and_test_as_red_tasks(
        server_url: str, warehouse: str, broken_project: Path, tmp_path: Path) -> None:
    """The bench's cosmos WATCHER DAG under the real scheduler, on the small chain with
    the broken model and a failing test: the failing model's sensor and the failing
    test's sensor are red, the model downstream is not run, the rest is green, and the
    producer's run results still reach audit.dbt_node_results."""
    from monev.transform import runner

    runner.parse()  # the copy's manifest, which cosmos renders the task group from
    with psycopg.connect(warehouse) as conn:
        conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                     " finished_at, success) VALUES ('bogus', 'build', now(), now(), true)")
        conn.execute("INSERT INTO audit.dbt_node_results (invocation_id, unique_id,"
                     " resource_type, name, status) VALUES ('bogus', 'x.y', 'bogus', 'y', 'ok')")
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "watcher_failures.py").write_text(WATCHER_DAG.format(
        bench=str(Path(__file__).parents[2] / "bench" / "watcher_dags"), select=CHAIN))
    meta_db = f"airflow_watcher_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{meta_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{meta_db}"')
    meta = make_url(server_url).set(database=meta_db, drivername="postgresql+psycopg")
    meta_url = meta.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "PYTEST", "MONEV_")) and k != "WAREHOUSE_URL"}
    env.update({
        "WAREHOUSE_URL": warehouse, "MONEV_PG_PORT": os.environ.get("MONEV_PG_PORT", "55432"),
        "MONEV_STATE_DIR": str(tmp_path / "state"), "MONEV_DBT_PROJECT_DIR": str(broken_project),
        "MONEV_LANDING_URL": str(tmp_path / "no_landing"),
        "AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
    })
    monev = str(Path(sys.executable).with_name("monev"))
    proc = subprocess.Popen([monev, "airflow", "--port", str(_free_port())], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    q_url = meta.set(drivername="postgresql").render_as_string(hide_password=False)

    def q(sql: str) -> list[tuple]:
        try:
            with psycopg.connect(q_url) as conn:
                return conn.execute(sql).fetchall()
        except psycopg.Error:  # the schema is not migrated yet
            return []

    def wait(what: str, check: Callable[[], bool], timeout: float) -> None:
        t0 = time.monotonic()
        while not check():
            if proc.poll() is not None or time.monotonic() - t0 > timeout:
                pytest.fail(f"no {what} (see {tmp_path / 'airflow' / 'services'})")
            time.sleep(2)

    try:
        wait("DAG parsed", lambda: bool(q("SELECT 1 FROM dag WHERE dag_id = 'watcher_failures'")),
             240)
        trigger = subprocess.run([monev, "airflow-cli", "dags", "trigger", "watcher_failures"],
                                 env=env, capture_output=True, text=True, timeout=180)
        assert trigger.returncode == 0, trigger.stderr[-2000:]
        wait("finished run", lambda: bool(q("SELECT 1 FROM dag_run WHERE dag_id ="
                                            " 'watcher_failures' AND state IN ('success',"
                                            " 'failed')")), 300)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    states = dict(q("SELECT task_id, state FROM task_instance WHERE dag_id = 'watcher_failures'"))
    run = q("SELECT state FROM dag_run WHERE dag_id = 'watcher_failures'")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{meta_db}" WITH (FORCE)')
    assert run == [("failed",)]
    assert states["dbt.dbt_producer_watcher"] == "failed"
    # the failing model and the failing test are the red tasks, by name
    assert states["dbt.stg_audit__validation_runs.run"] == "failed"
    assert states["dbt.mart_dbt_run_results.test"] == "failed"
    assert states["dbt.mart_kesehatan_muatan.run"] == "upstream_failed"
    assert states["dbt.stg_audit__load_batches.run"] == "success"
    assert states["dbt.mart_dbt_run_results.run"] == "success"
    with psycopg.connect(warehouse) as conn:
        recorded = dict(conn.execute(
            "SELECT r.name, r.status FROM audit.dbt_node_results r"
            " JOIN audit.dbt_invocations i USING (invocation_id)"
            " WHERE i.invocation_id <> 'bogus' AND (r.resource_type = 'model'"
            " OR r.name LIKE 'accepted_values_mart_dbt_run_results_resource_type%%')"
        ).fetchall())
    assert recorded.pop("stg_audit__validation_runs") == "error"
    assert recorded.pop("mart_kesehatan_muatan") == "skipped"
    assert [v for k, v in recorded.items() if k.startswith("accepted_values")] == ["fail"]

"""A month through the real scheduler: `monev airflow` (LocalExecutor) on an empty
landing folder, a generated month dropped into it, timed from the drop to the last
report; then the transform's Airflow time against a plain in-process `dbt build` of the
same project on a second database loaded with the same files.

    .venv/bin/python bench/bench_airflow_month.py                 # small month
    .venv/bin/python bench/bench_airflow_month.py --scale national

Execution modes compared for the dbt step (ratio = Airflow ÷ plain `dbt build`):
* `one task` — what transform_warehouse runs: one in-process `dbt build` task (first
  build of a fresh warehouse, against a plain first build of the same files);
* `cosmos WATCHER` — bench/watcher_dags/: one producer `dbt build` plus a sensor per
  model, run by a second scheduler with full refresh, against a plain full-refresh
  build of the same database (`--no-watcher` leaves it out).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from harness import quiet, settle
from sqlalchemy.engine import make_url

from monev import periods

PERIODE = "2025-01"


def _free_port() -> int:
    """A port whose next two are free too: `monev airflow` puts its log servers there."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if all(_port_free(p) for p in (port, port + 1, port + 2)):
            return port


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _load() -> float:
    """1-minute load average: the machine is shared, figures mean little without it."""
    return os.getloadavg()[0]


class RunFailed(RuntimeError):
    """A DAG run of the bench failed; its AIRFLOW_HOME (logs) is kept for reading."""


def _db(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _q(url: str, sql: str, *args: object) -> list[tuple]:
    url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def _load_by_hand(url: str, files: Path, state: Path, **env: str) -> list:
    """Point this process at warehouse `url` and ingest every file of `files` in the
    ingest DAG's order, as `monev ingest` does; returns the results."""
    os.environ.update({"WAREHOUSE_URL": url, "MONEV_STATE_DIR": str(state),
                       "MONEV_PSEUDONYM_KEY": "bench", **env})
    from monev.config import reset_settings
    from monev.ingest.landing import Landing
    from monev.ingest.pipeline import ingest_file
    from monev.orchestration.ingest_tasks import _load_order
    from monev.warehouse import db

    reset_settings()
    db.forget_ready()
    db.ensure_warehouse(url)
    return [ingest_file(files / f.relpath, publish=True)
            for f in sorted(Landing(str(files)).list(), key=_load_order)]


def load_history(warehouse: str, files: Path, work: Path, month: str) -> tuple[Path, str]:
    """Every generated delivery before `month` loaded, built and reported the way
    `monev ingest`, `monev transform` and `monev report` do, into the warehouse the
    scheduler will use; returns the folder of `month`'s own deliveries (to drop) and a
    summary line."""
    from monev.reports.build import build_reports
    from monev.transform import runner

    tag, year = month.replace("-", ""), month[:4]
    new = work / "month"
    for f in [p for p in files.rglob("*") if p.is_file()]:
        if tag in f.name or f.name.startswith(f"anggaran_{year}"):
            (new / f.relative_to(files)).parent.mkdir(parents=True, exist_ok=True)
            f.rename(new / f.relative_to(files))
    t0 = time.monotonic()
    results = _load_by_hand(warehouse, files, work / "state",
                            MONEV_REPORTS_DIR=str(work / "reports"))
    months = sorted({r.period_key for r in results
                     if r.status == "loaded" and r.source == "kepesertaan"})
    ingested = time.monotonic() - t0
    result = runner.build(url=warehouse)
    if not result.success:
        raise RuntimeError(f"history build failed: {[n.name for n in result.failed]}")
    built = time.monotonic() - t0 - ingested
    for ym in months:
        build_reports(ym)
    reported = time.monotonic() - t0 - ingested - built
    return new, (f"history {len(months)} month(s) {', '.join(months)}: ingest"
                 f" {ingested:.0f}s, build {built:.0f}s, reports {reported:.0f}s")


def scheduler_month(warehouse: str, server: str, files: Path, work: Path,
                    name: str) -> dict[str, float]:
    meta = _db(server, f"{name}_airflow").replace("postgresql://", "postgresql+psycopg://")
    landing = work / "landing"
    landing.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "WAREHOUSE_URL": warehouse, "MONEV_STATE_DIR": str(work / "state"),
        "MONEV_LANDING_URL": str(landing), "MONEV_REPORTS_DIR": str(work / "reports"),
        "MONEV_PSEUDONYM_KEY": "bench", "MONEV_POLL_MINUTES": "0.25",
        "AIRFLOW_HOME": str(work / "airflow"), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
    })
    monev = str(Path(sys.executable).with_name("monev"))
    proc = subprocess.Popen([monev, "airflow", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load0 = _load()
    try:
        t0 = time.monotonic()
        # start-up runs (a cron slot run on first start, e.g. full_history_tests on a
        # loaded warehouse) finish before the drop: they are not the month's cost
        while not _ready(meta) or _busy(meta, "ingest_landing"):
            time.sleep(2)
        startup = time.monotonic() - t0
        settled = settle(warehouse)
        staging = landing / ".incoming"
        shutil.copytree(files, staging)
        t_drop, wall_drop = time.monotonic(), time.time()
        for f in sorted(staging.rglob("*")):
            if f.is_file():
                (landing / f.relative_to(staging)).parent.mkdir(parents=True, exist_ok=True)
                f.rename(landing / f.relative_to(staging))
        while True:
            done = _q(warehouse, "SELECT count(*) FROM audit.report_runs WHERE status IN"
                      " ('built', 'sent') AND periode = to_date(%s, 'YYYY-MM')", PERIODE)[0][0]
            busy = _busy(meta)
            if done and not busy:
                break
            if proc.poll() is not None:
                raise RuntimeError("monev airflow exited")
            time.sleep(2)
        total = time.monotonic() - t_drop
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    spans = dict(_q(meta, "SELECT dag_id, extract(epoch FROM max(end_date) - min(start_date))"
                    " FROM dag_run WHERE state = 'success' AND start_date IS NOT NULL"
                    " GROUP BY dag_id"))
    task = _q(meta, "SELECT extract(epoch FROM end_date - start_date) FROM task_instance"
              " WHERE dag_id = 'transform_warehouse' AND task_id = 'dbt_build'")[0][0]
    run = _q(meta, "SELECT extract(epoch FROM end_date - start_date) FROM dag_run"
             " WHERE dag_id = 'transform_warehouse'")[0][0]
    runs = _q(meta, "SELECT dag_id, extract(epoch FROM start_date) - %s,"
              " extract(epoch FROM end_date - start_date), state FROM dag_run"
              " WHERE start_date IS NOT NULL AND dag_id <> 'watch_late_extracts'"
              " AND end_date > to_timestamp(%s) ORDER BY start_date", wall_drop, wall_drop)
    loads = _q(meta, "SELECT count(*) FROM task_instance WHERE dag_id = 'ingest_landing'"
               " AND task_id = 'load' AND state = 'success'")[0][0]
    return {"startup": startup, "settled": settled, "total": total, "transform_task": float(task),
            "transform_run": float(run), "loads": loads,
            "reports": float(spans.get("monthly_reports") or 0), "load": max(load0, _load()),
            "runs": runs}


def _busy(meta: str, *also_ignored: str) -> int:
    return _q(meta, "SELECT count(*) FROM dag_run WHERE state IN ('queued', 'running')"
              " AND dag_id <> ALL(%s)", ["watch_late_extracts", *also_ignored])[0][0]


def _ready(meta: str) -> bool:
    try:
        return bool(_q(meta, "SELECT count(*) FROM dag_run WHERE dag_id = 'ingest_landing'"
                       " AND state = 'success'")[0][0])
    except psycopg.Error:
        return False


def plain_build(server: str, files: Path, work: Path, name: str) -> tuple[str, float]:
    """The same files ingested by hand, then one in-process `dbt build` (what
    `monev transform` runs), timed alone."""
    from monev.transform import runner

    url = _db(server, name)
    _load_by_hand(url, files, work / "plain")
    t0 = time.monotonic()
    result = runner.build(url=url)
    seconds = time.monotonic() - t0
    if not result.success:
        raise RuntimeError(f"plain dbt build failed: {[n.name for n in result.failed]}")
    return url, seconds


def watcher(server: str, url: str, work: Path, name: str) -> dict[str, float]:
    """The WATCHER DAG run on `url`, then a plain full-refresh build of the same
    database: run and producer seconds, plain seconds, task count, load averages."""
    meta = _db(server, f"{name}_watcher").replace("postgresql://", "postgresql+psycopg://")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "WAREHOUSE_URL": url, "MONEV_STATE_DIR": str(work / "watcher_state"),
        "MONEV_LANDING_URL": str(work / "no_landing"),
        "AIRFLOW_HOME": str(work / "airflow_watcher"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
        "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).parent / "watcher_dags"),
    })
    monev = str(Path(sys.executable).with_name("monev"))
    proc = subprocess.Popen([monev, "airflow", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load0 = _load()
    try:
        while True:
            try:
                if _q(meta, "SELECT count(*) FROM dag WHERE dag_id = 'bench_transform_watcher'"
                      )[0][0]:
                    break
            except psycopg.Error:
                pass
            time.sleep(2)
        subprocess.run([monev, "airflow-cli", "dags", "trigger", "bench_transform_watcher"],
                       env=env, check=True, capture_output=True)
        while True:
            state = _q(meta, "SELECT state FROM dag_run WHERE dag_id = 'bench_transform_watcher'")
            if state and state[0][0] in ("success", "failed"):
                break
            time.sleep(2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    load1 = _load()
    if state[0][0] != "success":
        failed = [r[0] for r in _q(meta, "SELECT task_id FROM task_instance WHERE dag_id ="
                                   " 'bench_transform_watcher' AND state = 'failed'")]
        raise RunFailed(f"the WATCHER run failed (tasks {failed}); logs under"
                        f" {work / 'airflow_watcher'}")
    seconds = float(_q(meta, "SELECT extract(epoch FROM end_date - start_date) FROM dag_run"
                       " WHERE dag_id = 'bench_transform_watcher'")[0][0])
    producer = float(_q(meta, "SELECT extract(epoch FROM end_date - start_date)"
                        " FROM task_instance WHERE dag_id = 'bench_transform_watcher'"
                        " AND task_id LIKE '%%dbt_producer_watcher'")[0][0])
    tasks = _q(meta, "SELECT count(*) FROM task_instance WHERE dag_id = 'bench_transform_watcher'"
               )[0][0]
    from monev.transform import runner

    t0 = time.monotonic()
    result = runner.build(full_refresh=True, url=url)
    plain = time.monotonic() - t0
    if not result.success:
        raise RuntimeError("plain full-refresh build failed")
    return {"run": seconds, "producer": producer, "plain": plain, "tasks": tasks,
            "load": max(load0, load1, _load())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small", choices=["small", "national"])
    parser.add_argument("--no-watcher", action="store_true", help="skip the WATCHER comparison")
    parser.add_argument("--history", type=int, default=0,
                        help="months loaded, built and reported before the drop (no plain"
                             " build or WATCHER comparison then)")
    args = parser.parse_args()
    quiet()
    from monev.synthetic import generate
    from monev.warehouse import cluster

    server = os.environ.get("WAREHOUSE_URL") or cluster.up().url
    name = f"monev_bench_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="monev_bench_"))
    keep = False  # a failed run's logs stay for reading
    try:
        files = work / "files"
        first = periods.add(PERIODE, -args.history)
        generate(files, first, PERIODE, scale=args.scale, seed=0)
        warehouse = _db(server, name)
        history = ""
        if args.history:
            files, history = load_history(warehouse, files, work, PERIODE)
        n = sum(1 for f in files.rglob("*") if f.is_file() and f.name != "MANIFEST.json")
        a = scheduler_month(warehouse, server, files, work, name)
        if args.history:
            print(f"{args.scale} month {PERIODE} after {history}")
            print(f"  {n} files dropped; real scheduler (LocalExecutor):")
            print(f"  start-up runs {a['startup']:.0f}s, then autovacuum {a['settled']:.0f}s")
            print(f"  drop -> last report           {a['total']:6.1f}s")
            for dag_id, start, secs, state in a["runs"]:
                print(f"    {dag_id:<22} +{float(start):6.1f}  {float(secs):6.1f}  {state}")
            print(f"  transform dbt_build {a['transform_task']:.1f}s; load {a['load']:.2f}")
            return
        plain_url, plain = plain_build(server, files, work, f"{name}_plain")
        print(f"{args.scale} month {PERIODE}, {n} files, real scheduler (LocalExecutor):")
        print(f"  start-up to first green poll  {a['startup']:6.1f}s")
        print(f"  drop -> last report           {a['total']:6.1f}s   (target small <= 180s)")
        print(f"  {a['loads']} loads; reports DAG span {a['reports']:.1f}s")
        print("  DAG runs after the drop (start after drop s, duration s):")
        for dag_id, start, secs, state in a["runs"]:
            print(f"    {dag_id:<22} +{float(start):6.1f}  {float(secs):6.1f}  {state}")
        # printed before the WATCHER run too: a failed WATCHER run must not lose it
        print(f"  one task: dbt_build {a['transform_task']:.1f}s vs plain {plain:.1f}s"
              f" = {a['transform_task'] / plain:.2f}", flush=True)
        rows = [("one task (deployed)", f"{a['total']:.1f}",
                 f"{a['transform_task']:.1f} (run {a['transform_run']:.1f})", plain,
                 a["transform_task"] / plain, a["load"])]
        if not args.no_watcher:
            w = watcher(server, plain_url, work, name)
            rows.append((f"cosmos WATCHER ({w['tasks']} tasks)", "-",
                         f"{w['run']:.1f} (producer {w['producer']:.1f})", w["plain"],
                         w["run"] / w["plain"], w["load"]))
        print("  transform ÷ plain in-process `dbt build` of the same database (target <= 1.3):")
        print(f"  {'mode':<28} {'drop->reports s':>15} {'transform s':>26} {'plain dbt s':>11}"
              f" {'ratio':>6} {'load':>5}")
        for mode, total, task, base, ratio, load in rows:
            print(f"  {mode:<28} {total:>15} {task:>26} {base:>11.1f} {ratio:>6.2f} {load:>5.2f}")
        print("  (WATCHER: its DAG run, full refresh, against a plain --full-refresh build)")
    except RunFailed as exc:
        keep = True
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            for db in (name, f"{name}_airflow", f"{name}_plain", f"{name}_watcher"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

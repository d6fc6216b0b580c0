"""Fault injection at the worst moments, then a plain re-run: `kill -9` of the loader
mid-COPY and mid-gate, and a crash of the embedded PostgreSQL (immediate stop: no
checkpoint, WAL recovery on start) during a load and during a dbt build. Nothing
half-loaded stays, interrupted batches are marked, and the marts after the re-run
equal a clean build of the same files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from transform_support import module_warehouse

from monev.ingest.pipeline import ingest_paths
from monev.synthetic import generate
from monev.warehouse import cluster

MONEV = Path(sys.executable).with_name("monev")
MART = ("SELECT * FROM marts.mart_monev_wilayah_bulanan ORDER BY periode, kode_wilayah")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small month of every source, with a participant list large enough that its
    COPY and gate take seconds (the window the kills aim at)."""
    out = tmp_path_factory.mktemp("landing")
    generate(out, "2024-03", "2024-03", scale="small", seed=3, rentan_rows=300_000)
    return out


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([str(MONEV), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env={**os.environ, "MONEV_PSEUDONYM_KEY": "faults",
                                 "COLUMNS": "200"})


def _wait_for(url: str, sql: str, proc: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(url) as conn:
            if conn.execute(sql).fetchone()[0]:
                return
        if proc.poll() is not None:
            pytest.fail(f"the process ended before the moment to kill it: {proc.stdout.read()}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for: {sql}")


# The staging table is created in the COPY's transaction, so no other session sees it
# before the COPY commits: the server's progress view is what shows rows streaming in
# (only the participant list has this many).
MID_COPY = ("SELECT EXISTS (SELECT 1 FROM pg_stat_progress_copy p"
            " JOIN pg_database d ON d.oid = p.datid WHERE d.datname = current_database()"
            " AND p.command = 'COPY FROM' AND p.tuples_processed > 20000)")
MID_GATE = ("SELECT EXISTS (SELECT 1 FROM audit.load_batches WHERE source = 'peserta_rentan'"
            " AND status = 'running' AND staged_at IS NOT NULL AND validated_at IS NULL)")


def _published(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM raw.peserta_rentan),"
            " (SELECT count(*) FROM pg_tables WHERE schemaname = 'stage'),"
            " (SELECT count(*) FROM audit.load_batches WHERE status = 'running')").fetchone()


def _statuses(url: str, source: str) -> list[tuple[str, str | None]]:
    with psycopg.connect(url) as conn:
        return [(s, r[0]["rule"] if r else None) for s, r in conn.execute(
            "SELECT status, reasons FROM audit.load_batches WHERE source = %s"
            " ORDER BY batch_id", (source,)).fetchall()]


def _rentan(landing: Path) -> Path:
    return next(landing.glob("peserta_rentan_*.csv.gz"))


def test_kill_9_of_the_loader_mid_copy_and_mid_gate(warehouse: str, landing: Path) -> None:
    rentan = _rentan(landing)
    for moment in (MID_COPY, MID_GATE):
        proc = _start(["ingest", str(rentan)])
        _wait_for(warehouse, moment, proc)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rows, _, _ = _published(warehouse)
        assert rows == 0  # nothing of the killed load is visible
    results = ingest_paths([rentan])
    assert [r.status for r in results] == ["loaded"]
    rows, stage, running = _published(warehouse)
    assert (stage, running) == (0, 0)
    assert rows == results[0].rows > 250_000
    assert _statuses(warehouse, "peserta_rentan") == [
        ("failed", "ingest.interrupted"), ("failed", "ingest.interrupted"), ("loaded", None)]


def _crash_and_restart(c: cluster.Cluster) -> None:
    cluster.stop(c, mode="immediate")
    cluster.start(c)


def _during(c: cluster.Cluster, args: list[str],
            moment: Callable[[subprocess.Popen[str]], None]) -> str:
    """Run `monev ARGS`, crash the server once `moment` returns, restart it; the
    command's output."""
    proc = _start(args)
    moment(proc)
    _crash_and_restart(c)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, out
    assert "Traceback" not in out, out
    return out


def test_postgres_crash_during_a_load_and_a_build_then_rerun_equals_a_clean_build(
    server_url: str, template_db: str, embedded_cluster: cluster.Cluster, landing: Path,
    tmp_path: Path,
) -> None:
    from monev.transform.runner import build

    files = sorted(p for p in landing.rglob("*") if p.is_file() and p.name != "MANIFEST.json")
    with module_warehouse(server_url, template_db, tmp_path / "clean"):
        assert all(r.ok for r in ingest_paths(files))
        assert build(exclude=["test_type:unit"]).success
        with psycopg.connect(os.environ["WAREHOUSE_URL"]) as conn:
            clean = conn.execute(MART).fetchall()

    with module_warehouse(server_url, template_db, tmp_path / "crashed") as url:
        proc_out = _during(embedded_cluster, ["ingest", str(landing)],
                           lambda proc: _wait_for(url, MID_COPY, proc))
        assert "warehouse" in proc_out  # said what happened, in its own words
        assert all(r.ok for r in ingest_paths(files))
        assert _published(url)[1:] == (0, 0)
        assert ("failed", "ingest.interrupted") in _statuses(url, "peserta_rentan")

        def mid_build(proc: subprocess.Popen[str]) -> None:
            _wait_for(url, "SELECT count(*) >= 8 FROM pg_tables WHERE schemaname IN"
                           " ('intermediate', 'marts')", proc, timeout=600)

        _during(embedded_cluster, ["transform"], mid_build)
        result = build(exclude=["test_type:unit"])
        assert result.success, [(n.name, n.message) for n in result.failed] or result.error
        with psycopg.connect(url) as conn:
            assert conn.execute(MART).fetchall() == clean

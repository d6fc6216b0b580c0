"""The semester report made by Airflow itself: January–May are already in the
warehouse (loaded and built as a data engineer would by hand, their monthly reports on
record), `monev airflow` runs, and June's deliveries are dropped into the landing
folder. Nobody triggers anything. Asserted: June's monthly reports, then the Laporan
Semester 2025-1 — national and every province, once each, after June's national
report; then a correction of June (`kepesertaan_202506_rev1.csv`) dropped in: June is
rebuilt and the semester reissued as revision 2, stating what changed."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import psycopg
import pytest
from airflow_service import free_ports, running_airflow, service_env, wait_for
from sqlalchemy.engine import make_url

PSEUDONYM_KEY = "scheduler-semester-key"
DEADLINE_S = 900  # per stage, on a busy 2-core machine


def _preload(files: list[Path]) -> None:
    """January to May, as `monev ingest` + `monev transform` would load them."""
    from monev.ingest.pipeline import ingest_paths
    from monev.transform import runner

    results = ingest_paths(files)
    assert all(r.status in ("loaded", "duplicate", "superseded") for r in results), \
        [(r.file, r.status) for r in results if r.status not in ("loaded", "duplicate")]
    result = runner.build()
    assert result.success, result.failed


def _corrected(original: Path, target: Path) -> None:
    """June's coverage again as `_rev1`, one kab/kota with one active worker fewer."""
    text = original.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, first = rows[0], rows[1]
    aktif = header.index("tk_aktif")
    first[aktif] = str(int(first[aktif]) - 1)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")


def _runs(warehouse: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(warehouse) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.mark.landing
def test_the_semester_report_follows_its_sixth_month_under_the_scheduler(
    airflow_metadata: str, warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from monev.config import reset_settings
    from monev.synthetic import generate

    generated = tmp_path / "generated"
    generate(generated, "2025-01", "2025-06", scale="small", seed=7)
    june = sorted(p for p in generated.iterdir() if p.is_file() and "202506" in p.name)
    assert {p.name.split("_")[0] for p in june} >= {"kepesertaan", "peserta", "realisasi"}
    before = sorted(p for p in generated.iterdir() if p.is_file() and p not in june)
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", PSEUDONYM_KEY)
    monkeypatch.setenv("MONEV_REPORTS_DIR", str(tmp_path / "reports"))
    reset_settings()
    _preload([*before, generated / "referensi"])
    # January-May were reported in their own months: their national runs are on record
    # (the planner then builds June only, not five months of 39 sets before it)
    with psycopg.connect(warehouse, autocommit=True) as conn:
        for month in range(1, 6):
            conn.execute(
                "INSERT INTO audit.report_runs (periode, scope, revision, status, built_at,"
                " finished_at, message) VALUES (%s, 'NASIONAL', 1, 'built', now(), now(),"
                " 'reported before this test')", (f"2025-{month:02d}-01",))

    meta_url = airflow_metadata
    landing = tmp_path / "landing"
    landing.mkdir()
    home = tmp_path / "airflow_home"
    port = free_ports(8)
    env = service_env(warehouse, meta_url, tmp_path, MONEV_PSEUDONYM_KEY=PSEUDONYM_KEY,
                      AIRFLOW_HOME=str(home))

    def drop(files: list[Path]) -> None:
        staging = landing / ".incoming"  # same filesystem: each file appears whole
        staging.mkdir()
        for f in files:
            shutil.copy(f, staging / f.name)
            (staging / f.name).rename(landing / f.name)
        staging.rmdir()

    def semester(revision: int) -> list[tuple]:
        return _runs(warehouse, "SELECT scope, built_at FROM audit.report_runs"
                     " WHERE periode = '2025-01-01' AND scope = 'SEMESTER:NASIONAL'"
                     " AND revision = %s AND status IN ('built', 'sent')", revision)

    def quiet() -> bool:
        with psycopg.connect(make_url(meta_url).set(drivername="postgresql").render_as_string(
                hide_password=False)) as conn:
            return conn.execute("SELECT count(*) FROM dag_run WHERE state IN ('queued',"
                                " 'running') AND dag_id <> 'watch_late_extracts'"
                                ).fetchone()[0] == 0

    with running_airflow(env, port) as service:
        proc, logs = service.proc, service.logs
        wait_for("the service's first poll", lambda: logs.exists()
                 and _runs(warehouse, "SELECT 1 FROM audit.landing_files LIMIT 1") == []
                 and quiet_after_start(meta_url), 300, proc, logs)
        drop(june)
        wait_for("the semester report", lambda: semester(1) and quiet(), DEADLINE_S, proc, logs)

        # a correction of June: June rebuilt, the semester reissued
        _corrected(generated / "kepesertaan_202506.csv", tmp_path / "kepesertaan_202506_rev1.csv")
        drop([tmp_path / "kepesertaan_202506_rev1.csv"])
        wait_for("the semester's reissue", lambda: semester(2) and quiet(), DEADLINE_S, proc,
                 logs)

    provinces = _runs(warehouse, "SELECT count(*) FROM raw.wilayah WHERE tingkat = 'PROVINSI'")
    first = dict(_runs(warehouse, "SELECT scope, count(*) FROM audit.report_runs"
                       " WHERE periode = '2025-01-01' AND scope LIKE 'SEMESTER:%%'"
                       " AND revision = 1 GROUP BY scope"))
    # national and every province, each built once
    assert len(first) == provinces[0][0] + 1 and set(first.values()) == {1}, first
    # after June's national monthly report
    [(june_built,)] = _runs(warehouse, "SELECT min(built_at) FROM audit.report_runs"
                            " WHERE periode = '2025-06-01' AND scope = 'NASIONAL'")
    assert june_built is not None and semester(1)[0][1] > june_built
    # the reissue says what changed, and is in the archive with the first one
    [(message,)] = _runs(warehouse, "SELECT message FROM audit.report_runs WHERE periode ="
                         " '2025-01-01' AND scope = 'SEMESTER:NASIONAL' AND revision = 2")
    assert "revisi 2" in (message or "")
    folder = tmp_path / "reports" / "semester-2025-1"
    assert (folder / "monev_semester_nasional_2025-1_rev2.pdf").exists()
    assert not (tmp_path / "reports" / ".staging").exists() or not any(
        (tmp_path / "reports" / ".staging").iterdir())


def quiet_after_start(meta_url: str) -> bool:
    """The scheduler has run its first ingest poll and nothing is running."""
    url = make_url(meta_url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(url) as conn:
            if not conn.execute("SELECT to_regclass('public.dag_run')").fetchone()[0]:
                return False
            done = conn.execute("SELECT count(*) FROM dag_run WHERE dag_id = 'ingest_landing'"
                                " AND state = 'success'").fetchone()[0]
            busy = conn.execute("SELECT count(*) FROM dag_run WHERE state IN ('queued',"
                                " 'running') AND dag_id <> 'watch_late_extracts'").fetchone()[0]
        return done >= 1 and busy == 0
    except psycopg.Error:
        return False

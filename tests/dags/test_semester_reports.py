"""The semester report through the reports DAG (dag.test, real Airflow and PostgreSQL,
fixture marts): planned once after the national report of the semester's sixth month,
after that month's reports in the same run; not again on a later run; reissued as a new
revision stating what changed when one of its months' national report is rebuilt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from sample_marts import create_fixture_marts, small_regions

JUNE = dt.date(2025, 6, 1)


def _runs(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT scope, periode, revision, status, message, built_at FROM audit.report_runs"
            " WHERE scope IN ('NASIONAL', 'SEMESTER:NASIONAL') ORDER BY run_id").fetchall()


@pytest.mark.slow
def test_semester_report_once_after_its_last_month_and_reissued_on_revision(
        dagbag: dict, landing: Path, warehouse: str, tmp_path: Path) -> None:
    from monev.localrun.runner import run_dag

    with psycopg.connect(warehouse) as conn:
        create_fixture_marts(conn, JUNE, regions=small_regions(), months=3)
    dag = dagbag["monthly_reports"]
    assert dag.get_task("plan_semesters").upstream_task_ids == {"build_reports"}

    # May is reported: the semester's last month is not, so no semester report.
    may = run_dag(dag, {"periode": "2025-05"})
    assert may.state == "success", may.tasks
    assert not [r for r in _runs(warehouse) if r[0] == "SEMESTER:NASIONAL"]

    # June is reported: the semester report follows, in the same run, after June's.
    june = run_dag(dag, {"periode": "2025-06"})
    assert june.state == "success", june.tasks
    assert june.tasks["build_semester_reports[0]"] == "success"
    runs = _runs(warehouse)
    sem = [r for r in runs if r[0] == "SEMESTER:NASIONAL"]
    assert [(r[1], r[2], r[3]) for r in sem] == [(dt.date(2025, 1, 1), 1, "built")]
    june_national = max(r[5] for r in runs if r[0] == "NASIONAL" and r[1] == JUNE)
    assert sem[0][5] > june_national
    # January-March have no marts rows: the report says so
    assert "tanpa data: Januari 2025, Februari 2025, Maret 2025" in sem[0][4]
    archive = tmp_path / "reports" / "semester-2025-1"
    assert (archive / "monev_semester_nasional_2025-1.pdf").exists()
    assert "semester-2025-1/monev_semester_nasional_2025-1.pdf" in (
        tmp_path / "reports" / "index.html").read_text(encoding="utf-8")

    # A later run with nothing new: no second semester report.
    again = run_dag(dag, {"periode": None, "reissue": False, "provinsi": None,
                          "semester": None})
    assert again.state == "success", again.tasks
    assert len([r for r in _runs(warehouse) if r[0] == "SEMESTER:NASIONAL"]) == 1

    # A revision of May (new figures, May's reports rebuilt): the semester is reissued.
    with psycopg.connect(warehouse) as conn:
        conn.execute("UPDATE marts.mart_monev_wilayah_bulanan SET peserta_aktif ="
                     " peserta_aktif + 500 WHERE periode = '2025-05-01' AND kode_wilayah = '00'")
    revised = run_dag(dag, {"periode": "2025-05", "reissue": True})
    assert revised.state == "success", revised.tasks
    sem = [r for r in _runs(warehouse) if r[0] == "SEMESTER:NASIONAL"]
    assert [(r[2], r[3]) for r in sem] == [(1, "built"), (2, "built")]
    assert "revisi 2 menggantikan revisi 1" in sem[1][4]
    assert (archive / "monev_semester_nasional_2025-1_rev2.pdf").exists()
    assert (archive / "monev_semester_nasional_2025-1.pdf").exists()  # rev1 kept

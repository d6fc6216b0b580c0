"""When a month's report may be built (monev.readiness.completeness) on real
PostgreSQL: complete → build; sources missing → wait until the due day, then build
(the report names them); a delivery after the report → reissue; nothing at all while
files wait in the landing location, before the marts hold the latest batch, or on an
empty warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest

from monev.config import reset_settings


@pytest.fixture
def wh(warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("MONEV_LANDING_URL", str(tmp_path / "landing"))
    reset_settings()
    return warehouse


def _batch(conn: psycopg.Connection, source: str, period_key: str, at: str) -> None:
    conn.execute("INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes,"
                 " status, published_at) VALUES (%s, %s, %s, %s, 1, 'loaded', %s)",
                 (source, period_key, f"{source}_{period_key}", f"{source}{period_key}{at}", at))


def _built(conn: psycopg.Connection, at: str) -> None:
    conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                 " finished_at, success) VALUES (%s, 'build', %s, %s, true)", (at, at, at))


def _decisions(today: date) -> dict[str, str]:
    from monev.readiness.completeness import plan

    return {m.periode: m.decision for m in plan(today).months}


def test_reports_wait_for_complete_months_and_reissue_changes(wh: str, tmp_path: Path) -> None:
    from monev.readiness.completeness import plan

    assert plan().blocked and "empty warehouse" in plan().blocked
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute("CREATE TABLE marts.mart_monev_wilayah_bulanan (x int)")
        _batch(conn, "anggaran", "2025/murni", "2025-02-01")
        for source in ("kepesertaan", "peserta_rentan", "realisasi"):
            _batch(conn, source, "2025-01", "2025-02-02")
        _batch(conn, "kepesertaan", "2025-02", "2025-03-02")  # February: only one source
        assert plan().blocked and "transform pending" in plan().blocked
        _built(conn, "2025-03-03")

    assert _decisions(date(2025, 3, 5)) == {"2025-01": "build", "2025-02": "wait"}
    # past February's due day (8 March): built anyway, with its sources missing
    feb = next(m for m in plan(date(2025, 3, 9)).months if m.periode == "2025-02")
    assert feb.decision == "build"
    assert feb.missing == ["peserta_rentan", "realisasi"]

    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute("INSERT INTO audit.report_runs (periode, scope, status, built_at)"
                     " VALUES ('2025-01-01', 'NASIONAL', 'sent', '2025-03-04')")
    assert _decisions(date(2025, 3, 5))["2025-01"] == "done"
    # a revision of January after its report: a new revision of the report
    with psycopg.connect(wh, autocommit=True) as conn:
        _batch(conn, "kepesertaan", "2025-01", "2025-03-10")
        _built(conn, "2025-03-11")
    assert _decisions(date(2025, 3, 12))["2025-01"] == "reissue"

    # a file waiting in the landing location holds every report back
    (tmp_path / "landing" / "realisasi_202502.xlsx").write_bytes(b"x")
    p = plan(date(2025, 3, 12))
    assert p.blocked and "waiting" in p.blocked and p.to_build == []


def test_the_plans_missing_sources_travel_to_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan knows which sources a month lacks; the report is handed that list instead
    of working it out again (the report's own wording: test_reports_content)."""
    from monev.orchestration import report_tasks
    from monev.readiness import completeness

    feb = completeness.MonthStatus("2025-02", ["kepesertaan"], ["peserta_rentan", "realisasi"],
                                   date(2025, 3, 8), False, False, "build", "due passed")
    done = completeness.MonthStatus("2025-01", [], [], date(2025, 2, 8), True, False, "done")
    monkeypatch.setattr(completeness, "plan", lambda: completeness.Plan([done, feb]))
    assert report_tasks.months_to_report({}) == [
        {"periode": "2025-02", "reissue": False, "provinsi": None,
         "missing": ["peserta_rentan", "realisasi"]}]
    # by hand: the report reads the month's missing sources off the marts
    assert report_tasks.months_to_report({"periode": "2025-02"})[0]["missing"] is None

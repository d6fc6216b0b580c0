"""The whole month through Airflow, as `monev run` does it: the ingest DAG, then
transform_warehouse (one dbt build in-process) on the published batches, then
monthly_reports on the marts — on real PostgreSQL over small generated data."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

PERIODE = "2025-01"


@pytest.mark.landing
def test_month_end_to_end_through_airflow(dagbag: dict, landing: Path, warehouse: str,
                                          tmp_path: Path) -> None:
    from monev.localrun.runner import run_period
    from monev.synthetic import generate

    generate(landing, PERIODE, PERIODE, scale="small", seed=7)
    # one province's report keeps the test short; the national/all-province path is
    # the same call without `provinsi`
    with psycopg.connect(warehouse) as conn:
        prov = conn.execute("SELECT min(kode) FROM raw.wilayah WHERE tingkat = 'PROVINSI'"
                            ).fetchone()[0]
    summary = run_period(PERIODE, provinsi=prov)
    states = {d.dag_id: d.state for d in summary.dags}
    assert summary.ok, [(d.dag_id, d.state, d.tasks) for d in summary.dags]
    assert list(states) == ["ingest_landing", "transform_warehouse", "monthly_reports"]
    transform = summary.dags[1]
    marts_events = [e for e in transform.asset_events if "periods" in e]
    assert marts_events == [{"periods": [PERIODE]}]
    assert {e["source"] for e in summary.published} >= {"kepesertaan", "peserta_rentan"}
    with psycopg.connect(warehouse) as conn:
        n = conn.execute("SELECT count(*) FROM marts.mart_monev_wilayah_bulanan"
                         " WHERE periode = %s::date", (f"{PERIODE}-01",)).fetchone()[0]
        assert n > 0
        runs = conn.execute("SELECT count(*) FROM audit.report_runs").fetchone()[0]
        assert runs >= 1
    month_dir = tmp_path / "reports" / PERIODE
    assert month_dir.exists() and any(p.is_file() for p in month_dir.rglob("*"))

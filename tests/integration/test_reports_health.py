"""Data-health marts and the report's section 9 from the real pipeline: generated
deliveries where March's realisasi is missing and its only delivery was rejected ->
ingest (real gate) -> dbt build -> marts/health and the March report."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from monev.reports.build import build_reports


@pytest.mark.landing
def test_health_marts_and_section9_from_the_pipeline(warehouse: str, tmp_path: Path) -> None:
    from monev.ingest.pipeline import ingest_paths
    from monev.synthetic import generate
    from monev.transform.runner import build

    landing = tmp_path / "landing"
    generate(landing, "2025-02", "2025-03", scale="small", seed=5,
             bad=("realisasi_decreasing",))
    (landing / "realisasi_202503.xlsx").unlink()  # March's good realisasi never came
    bad = next((landing / "bad").glob("realisasi_202503_rev*.xlsx"))
    ingest_paths([p for p in sorted(landing.iterdir()) if p.is_file()]
                 + [landing / "referensi"])
    [rejected] = ingest_paths([bad])
    assert rejected.status == "rejected"
    result = build()
    assert result.success, [(n.name, n.status, n.message) for n in result.failed] or result.error

    with psycopg.connect(warehouse) as conn:
        muatan = conn.execute(
            "SELECT status, alasan_utama, gate_dijalankan, gate_sukses, gate_galat"
            " FROM marts.mart_kesehatan_muatan WHERE file_name = %s", (bad.name,)).fetchone()
        loaded = conn.execute(
            "SELECT count(*) FROM marts.mart_kesehatan_muatan WHERE status = 'loaded'"
            " AND gate_sukses").fetchone()[0]
        rules = conn.execute(
            "SELECT rule, severity, success, row_count FROM marts.mart_kesehatan_aturan"
            " WHERE file_name = %s AND NOT success", (bad.name,)).fetchall()
        fresh = conn.execute(
            "SELECT source, min(bulan_tertinggal), max(bulan_tertinggal), count(*)"
            " FROM marts.mart_kesehatan_kesegaran WHERE periode = '2025-03-01'"
            " GROUP BY source ORDER BY source").fetchall()
        # The marts post-hook grants the BI role, and RLS applies to the health marts
        # (national logins only for the gate's evidence: tests/security).
        bi_grant = conn.execute(
            "SELECT has_table_privilege('monev_bi', 'marts.mart_kesehatan_aturan', 'SELECT')"
        ).fetchone()[0]
        rls = conn.execute(
            "SELECT bool_and(relrowsecurity) FROM pg_class WHERE oid IN"
            " ('marts.mart_kesehatan_kesegaran'::regclass,"
            "  'marts.mart_kesehatan_aturan'::regclass)").fetchone()[0]
        prov = conn.execute(
            "SELECT kode_wilayah FROM marts.mart_monev_wilayah_bulanan WHERE tingkat ="
            " 'PROVINSI' AND periode = '2025-03-01' ORDER BY 1 LIMIT 1").fetchone()[0]
    assert muatan[0] == "rejected" and muatan[1].startswith("realisasi.")
    assert muatan[2] is True and muatan[3] is False and muatan[4] >= 1
    assert loaded >= 5
    assert rules and any(r[0] == muatan[1] and r[1] == "error" and r[3] >= 1 for r in rules)
    by_source = {r[0]: r[1:] for r in fresh}
    assert by_source["kepesertaan"][:2] == (0, 0)
    assert by_source["realisasi"][:2] == (1, 1)  # every pemda's realisasi is February's
    assert bi_grant is True and rls is True

    runs = build_reports("2025-03", provinsi=prov, out=tmp_path / "reports")
    assert [r.status for r in runs] == ["built"], [r.message for r in runs]
    text = subprocess.run(["pdftotext", "-layout", str(runs[0].path(".pdf")), "-"],
                          check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    section9 = flat[flat.rindex("9. Catatan Metodologi"):]
    assert bad.name in section9 and muatan[1] in section9
    assert "28 Februari 2025" in section9  # realisasi's cut-off
    assert "realisasi (terakhir Februari 2025)" in flat
    assert "DATA_TERLAMBAT" in flat

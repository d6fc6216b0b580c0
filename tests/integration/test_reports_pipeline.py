"""End to end: synthetic landing folder -> ingest -> dbt marts -> the month's reports.

The session's small generated months through the real pipeline (`built_months_template`:
its ingest and dbt build); the report's figures must be the marts'.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from openpyxl import load_workbook

from monev.reports import formatting as fmt
from monev.reports.build import build_reports


def test_reports_from_the_real_marts(built_warehouse: str, tmp_path: Path) -> None:
    with psycopg.connect(built_warehouse) as conn:
        nat = conn.execute(
            "SELECT cakupan_persen, peserta_aktif FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = '2025-03-01' AND kode_wilayah = '00'").fetchone()
        prov, prov_aktif = conn.execute(
            "SELECT kode_wilayah, peserta_aktif FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = '2025-03-01' AND tingkat = 'PROVINSI'"
            " ORDER BY kode_wilayah LIMIT 1").fetchone()
        n_sources = conn.execute("SELECT count(*) FROM marts.mart_sumber_data").fetchone()[0]
    assert nat is not None and n_sources > 0

    runs = build_reports("2025-03", provinsi=prov, out=tmp_path / "reports")
    assert [r.status for r in runs] == ["built"], [r.message for r in runs]
    text = subprocess.run(["pdftotext", "-layout", str(runs[0].path(".pdf")), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert fmt.num(prov_aktif) in text
    assert "Catatan Metodologi" in text
    ws = load_workbook(runs[0].path(".xlsx"))["Capaian"]
    first = next(ws.iter_rows(min_row=2, values_only=True))
    assert first[1] == prov_aktif  # the province's own row leads the table
    sources = load_workbook(runs[0].path(".xlsx"))["Sumber Data"]
    assert sources.max_row > 1  # source files with checksums are cited

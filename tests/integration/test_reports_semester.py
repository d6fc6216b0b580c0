"""The semester report (Laporan Semester, issue 24) on fixture marts in the real embedded
PostgreSQL: its figures equal the monthly marts they come from (flows summed over the
semester, stocks at its last month, ratios never averaged), the projection statuses
equal mart_proyeksi_target, every PDF page has ink, a short semester names its months,
and a reissue states what changed."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from report_support import send_and_reissue  # noqa: F401  (keeps the shared fixtures importable)
from sample_marts import create_fixture_marts, small_regions
from test_reports_content import MIN_INK_ROWS, ink_rows_per_page

from monev.reports import formatting as fmt
from monev.reports.semester_build import build_semester

JUNE = dt.date(2025, 6, 1)
SEMESTER = [dt.date(2025, m, 1) for m in range(1, 7)]


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def _sheet(path: Path, name: str) -> list[dict]:
    ws = load_workbook(path)[name]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=True))
            for row in ws.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def semester_marts(warehouse: str) -> str:
    """19 months of fixture marts, December 2023 .. June 2025: the semester, the month
    before it and the same semester a year before with its own baseline."""
    with psycopg.connect(warehouse) as conn:
        create_fixture_marts(conn, JUNE, regions=small_regions(), months=19)
    return warehouse


def test_semester_figures_equal_the_monthly_marts(semester_marts: str, tmp_path: Path) -> None:
    runs = build_semester("2025-1", out=tmp_path)
    assert [r.status for r in runs] == ["built"] * len(runs)
    national = runs[0]
    assert national.scope == "SEMESTER:NASIONAL"
    assert national.path(".pdf").name == "monev_semester_nasional_2025-1.pdf"
    assert (tmp_path / "semester-2025-1" / "monev_semester_prov62_2025-1.xlsx").exists()

    with psycopg.connect(semester_marts) as conn:
        def one(sql: str, *args: object) -> dict:
            cur = conn.execute(sql, args)
            cols = [d.name for d in cur.description]
            return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}

        june = one("SELECT kode_wilayah, * FROM marts.mart_monev_wilayah_bulanan"
                   " WHERE periode = %s", JUNE)
        dec = one("SELECT kode_wilayah, cakupan_persen FROM marts.mart_monev_wilayah_bulanan"
                  " WHERE periode = '2024-12-01'")
        ly = one("SELECT a.kode_wilayah, a.cakupan_persen - b.cakupan_persen AS d"
                 " FROM marts.mart_monev_wilayah_bulanan a JOIN marts.mart_monev_wilayah_bulanan b"
                 " ON b.kode_wilayah = a.kode_wilayah AND b.periode = '2023-12-01'"
                 " WHERE a.periode = '2024-06-01'")
        flows = one("SELECT kode_wilayah, sum(peserta_baru) AS baru, sum(peserta_keluar)"
                    " AS keluar, sum(iuran_ganda_rp) AS iuran_ganda,"
                    " avg(cakupan_persen) AS rata FROM marts.mart_monev_wilayah_bulanan"
                    " WHERE periode BETWEEN '2025-01-01' AND %s GROUP BY 1", JUNE)
        status = one("SELECT kode_wilayah, status, label_status, alasan_tanpa_status,"
                     " laju_dicapai_pp, laju_dibutuhkan_pp"
                     " FROM marts.mart_proyeksi_target WHERE periode = %s", JUNE)
        monthly = one("SELECT kode_wilayah || '/' || periode, cakupan_persen"
                      " FROM marts.mart_monev_wilayah_bulanan WHERE periode >= '2025-01-01'")

    xlsx = national.path(".xlsx")
    ringkasan = {r["Wilayah"]: r for r in _sheet(xlsx, "Ringkasan")}
    assert len(ringkasan) == 1 + sum(1 for r in june.values() if r["tingkat"] == "PROVINSI")
    for code, m in june.items():
        if m["tingkat"] == "KABKOTA":
            continue
        row = ringkasan[m["nama_wilayah"]]
        # stocks and ratios at the semester's last month
        assert row["Peserta aktif"] == m["peserta_aktif"]
        assert row["Cakupan akhir"] == pytest.approx(float(m["cakupan_persen"]))
        assert row["Cakupan awal"] == pytest.approx(float(dec[code]["cakupan_persen"]))
        assert row["Perubahan semester"] == pytest.approx(
            float(m["cakupan_persen"] - dec[code]["cakupan_persen"]))
        assert row["Perubahan semester yang sama tahun lalu"] == pytest.approx(
            float(ly[code]["d"]))
        # flows summed over the six months
        assert row["Peserta baru (Σ semester)"] == flows[code]["baru"]
        assert row["Peserta keluar (Σ semester)"] == flows[code]["keluar"]
        # the coverage is June's ratio, not the mean of the monthly ratios
        assert row["Cakupan akhir"] != pytest.approx(float(flows[code]["rata"]))

    anggaran = {r["Wilayah"]: r for r in _sheet(xlsx, "Anggaran")}
    for m in june.values():
        if m["tingkat"] != "KABKOTA":
            assert anggaran[m["nama_wilayah"]]["Realisasi kumulatif"] == pytest.approx(
                float(m["realisasi_rp"]))  # cumulative: June's stock, not a sum of months

    proyeksi = {r["Wilayah"]: r for r in _sheet(xlsx, "Proyeksi")}
    for code, m in june.items():
        if m["tingkat"] == "KABKOTA":
            continue
        row, st = proyeksi[m["nama_wilayah"]], status[code]
        # the mart's label and reason, as the mart gives them
        assert (row["Status"], row["Keterangan"]) == (st["label_status"],
                                                       st["alasan_tanpa_status"])
        assert (row["Status"] == "Tanpa status") == (st["status"] is None)
        assert row["Laju dicapai/bln"] == pytest.approx(float(st["laju_dicapai_pp"]))
        for month in SEMESTER:
            assert row[fmt.month_short(month)] == pytest.approx(
                float(monthly[f"{code}/{month}"]["cakupan_persen"]))

    ganda = _sheet(xlsx, "Ganda Bulanan")
    assert ganda[-1]["Iuran ganda"] == pytest.approx(float(flows["00"]["iuran_ganda"]))

    text = _text(national.path(".pdf"))
    nat = june["00"]
    assert f"mencapai {fmt.pct(nat['cakupan_persen'])}" in text
    assert "Bulan yang dicakup: Januari 2025, Februari 2025, Maret 2025, April 2025, Mei 2025," \
        " Juni 2025." in text
    assert "belum lengkap" not in text
    assert "laju dicapai" in text.lower() and "50% laju dibutuhkan" in text


def test_every_pdf_page_has_ink(semester_marts: str, tmp_path: Path) -> None:
    runs = build_semester("2025-1", out=tmp_path)
    empty = {}
    for run in runs[:3]:  # the national report and two annexes
        rows = ink_rows_per_page(run.path(".pdf"))
        assert len(rows) >= 6
        low = [i + 1 for i, n in enumerate(rows) if n < MIN_INK_ROWS]
        if low:
            empty[run.path(".pdf").name] = low
    assert not empty, empty


def test_short_semester_names_its_months(warehouse: str, tmp_path: Path) -> None:
    with psycopg.connect(warehouse) as conn:
        create_fixture_marts(conn, dt.date(2025, 4, 1), regions=small_regions(), months=4)
    runs = build_semester("2025-1", provinsi="62", out=tmp_path)
    text = _text(runs[0].path(".pdf"))
    assert "Bulan yang dicakup: Januari 2025, Februari 2025, Maret 2025, April 2025." in text
    assert "tidak ada data untuk Mei 2025, Juni 2025" in text
    assert "tanpa data: Mei 2025, Juni 2025" in runs[0].message
    info = load_workbook(runs[0].path(".xlsx"))["Info"]
    assert ["Bulan tanpa data", "Mei 2025, Juni 2025"] in [
        [c.value for c in row[:2]] for row in info.iter_rows()]


def test_reissue_states_what_changed(semester_marts: str, tmp_path: Path) -> None:
    first = build_semester("2025-1", provinsi="62", out=tmp_path)
    assert first[0].revision == 1
    with psycopg.connect(semester_marts) as conn:
        before = conn.execute(
            "UPDATE marts.mart_monev_wilayah_bulanan SET peserta_aktif = peserta_aktif + 1000"
            " WHERE periode = '2025-05-01' AND kode_wilayah = '62.01'"
            " RETURNING peserta_aktif - 1000, nama_wilayah").fetchone()
    again = build_semester("2025-1", provinsi="62", out=tmp_path, reissue=True)
    rev2 = again[0]
    assert rev2.status == "built" and rev2.revision == 2 and rev2.previous == 1
    moved = (f"Mei 2025 — {before[1]}: peserta aktif {fmt.num(before[0])} →"
             f" {fmt.num(before[0] + 1000)}")
    assert moved in rev2.changes
    assert rev2.path(".pdf").name == "monev_semester_prov62_2025-1_rev2.pdf"
    text = _text(rev2.path(".pdf"))
    assert "Perubahan dari revisi 1" in text and moved in text
    assert (tmp_path / "semester-2025-1" / "monev_semester_prov62_2025-1.pdf").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "semester-2025-1/monev_semester_prov62_2025-1_rev2.pdf" in index


def test_cli_builds_the_semester_by_hand(semester_marts: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from monev.cli import app

    result = CliRunner().invoke(app, ["report", "--semester", "2025-1", "--provinsi", "62",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "semester 2025-1 built rev1: SEMESTER:62" in result.output
    assert (tmp_path / "semester-2025-1" / "monev_semester_prov62_2025-1.pdf").exists()
    bad = CliRunner().invoke(app, ["report", "--semester", "2025-3"])
    assert bad.exit_code == 2 and "expected YYYY-1" in bad.output
    both = CliRunner().invoke(app, ["report", "--semester", "2025-1", "--periode", "2025-06"])
    assert both.exit_code == 2 and "either --periode" in both.output


def test_monthly_findings_carry_the_projection_status(semester_marts: str,
                                                      tmp_path: Path) -> None:
    from monev.reports.build import build_reports

    with psycopg.connect(semester_marts) as conn:
        # one region of each status, whatever the fixture's drift gave them
        conn.execute("UPDATE marts.mart_proyeksi_target SET status = 'off track'"
                     " WHERE periode = %s AND kode_wilayah = '62.01'", (JUNE,))
        conn.execute("UPDATE marts.mart_proyeksi_target SET status = 'at risk'"
                     " WHERE periode = %s AND kode_wilayah = '62.02'", (JUNE,))
        rows = conn.execute(
            "SELECT status, nama_wilayah FROM marts.mart_proyeksi_target"
            " WHERE periode = %s AND (kode_provinsi = '62') ORDER BY kode_wilayah",
            (JUNE,)).fetchall()
    expected = {s: [n for st, n in rows if st == s] for s in ("off track", "at risk")}
    runs = build_reports("2025-06", provinsi="62", out=tmp_path)
    temuan = _sheet(runs[0].path(".xlsx"), "Temuan")
    mine = [r for r in temuan if "PROYEKSI_TARGET" in r.values()]
    assert len(mine) == 2
    text = " ".join(str(v) for r in mine for v in r.values())
    for names in expected.values():
        for name in names:
            assert name in text
    assert f"{len(expected['off track'])} wilayah tidak sesuai jalur" in text
    assert f"{len(expected['at risk'])} wilayah berisiko" in text
    pdf = _text(runs[0].path(".pdf"))
    assert "PROYEKSI_TARGET" in pdf and "Tidak sesuai jalur menuju target akhir tahun" in pdf

"""What the reports say and how they are laid out, on fixture marts in the real
embedded PostgreSQL: no empty PDF page, billed vs realisation, section 9 per source,
the stale-data rule and a reissue that states what changed."""

from __future__ import annotations

import email
import subprocess
import tempfile
from email import policy
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from PIL import Image
from report_support import (  # noqa: F401  (fixtures)
    PERIODE,
    marts_fixture,
    send_and_reissue,
    smtp_inbox_fixture,
)
from sample_marts import add_delivery, create_fixture_marts, reference_regions

from monev.reports import formatting as fmt
from monev.reports.build import build_reports

# A page whose body (header and footer bands cut off) has fewer rows of ink than this,
# at 30 dpi, is empty: one line of text is 3-5 rows, a heading with its rule about 7.
MIN_INK_ROWS = 8


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def ink_rows_per_page(pdf: Path) -> list[int]:
    """Render every page with pdftoppm and count the body's pixel rows holding ink."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), f"{tmp}/p"],
                       check=True)
        pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        out = []
        for page in pages:
            im = Image.open(page).convert("L")
            w, h = im.size
            body = im.crop((0, int(h * 0.07), w, int(h * 0.93)))
            px = body.load()
            out.append(sum(1 for y in range(body.size[1])
                           if any(px[x, y] < 160 for x in range(body.size[0]))))
        return out


def test_ink_counter_sees_an_empty_page(tmp_path: Path) -> None:
    import weasyprint

    pdf = tmp_path / "two.pdf"
    weasyprint.HTML(string="<h1>Isi</h1><p>teks</p>"
                    "<p style='page-break-before: always'></p>").write_pdf(pdf)
    rows = ink_rows_per_page(pdf)
    assert len(rows) == 2 and rows[0] >= MIN_INK_ROWS and rows[1] < MIN_INK_ROWS


@pytest.fixture
def national_marts(warehouse: str) -> str:
    with psycopg.connect(warehouse) as conn:
        create_fixture_marts(conn, PERIODE, regions=reference_regions(), months=13)
    return warehouse


def test_no_page_is_empty(national_marts: str, tmp_path: Path) -> None:
    # National size: the national report and the provinces whose layout left pages
    # with a lone source note or heading before the print stylesheet kept them together.
    runs = build_reports("2025-03", provinsi="12", out=tmp_path)
    for code in ("33", "34", "35", "53", "65"):
        runs += build_reports("2025-03", provinsi=code, out=tmp_path)
    runs.insert(0, next(r for r in build_reports("2025-03", out=tmp_path / "all")
                        if r.scope == "NASIONAL"))
    assert all(r.status == "built" for r in runs)
    empty = {}
    for run in runs:
        rows = ink_rows_per_page(run.path(".pdf"))
        assert len(rows) > 8
        low = [i + 1 for i, n in enumerate(rows) if n < MIN_INK_ROWS]
        if low:
            empty[run.path(".pdf").name] = low
    assert not empty, empty



def test_billed_vs_realisation_even_without_budget(marts: str, tmp_path: Path) -> None:
    # Budget (pagu) missing for March, billing and realisation delivered.
    with psycopg.connect(marts) as conn:
        conn.execute("UPDATE marts.mart_monev_wilayah_bulanan SET pagu_rp = NULL,"
                     " serapan_persen = NULL WHERE periode = '2025-03-01'")
        own = conn.execute(
            "SELECT iuran_ditagih_rp, realisasi_rp FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = '2025-03-01' AND kode_wilayah = '62'").fetchone()
    runs = build_reports("2025-03", provinsi="62", out=tmp_path)
    text = _pdf_text(runs[0].path(".pdf"))
    section = text[text.rindex("5. Dukungan Anggaran APBD"):text.rindex("6. Regulasi Daerah")]
    assert "Data anggaran belum tersedia" in section
    billed, spent = float(own[0]), float(own[1])
    assert fmt.rupiah(billed - spent) in section
    assert fmt.pct(spent / billed * 100) in section
    ws = load_workbook(runs[0].path(".xlsx"))["Anggaran"]
    header = [c.value for c in ws[1]]
    first = next(ws.iter_rows(min_row=2, values_only=True))
    assert first[header.index("Ditagih − realisasi")] == pytest.approx(billed - spent)
    assert first[header.index("Realisasi ÷ ditagih")] == pytest.approx(spent / billed * 100)
    assert first[header.index("Pagu")] is None


def test_section9_per_source_and_stale_rule(marts: str, tmp_path: Path) -> None:
    with psycopg.connect(marts) as conn:
        # realisasi is delivered up to February only, and March's file was rejected.
        add_delivery(conn.cursor(), 90_001, "realisasi", "2025-02", "realisasi_202502.xlsx", 60)
        conn.execute(
            "INSERT INTO marts.mart_kesehatan_muatan (batch_id, source, period_key, periode,"
            " file_name, revision, status, rows, alasan_utama) VALUES (90, 'realisasi',"
            " '2025-03', '2025-03-01', 'realisasi_202503.xlsx', 0, 'rejected', 60,"
            " 'realisasi.kumulatif_tidak_turun')")
        conn.execute(
            "INSERT INTO marts.mart_kesehatan_kesegaran VALUES ('2025-03-01', 'realisasi',"
            " '62.02', 'KAB. KOTAWARINGIN TIMUR', 'KABUPATEN', '62', '2025-01-01', 2, true),"
            " ('2025-03-01', 'realisasi', '62.01', 'KAB. KOTAWARINGIN BARAT', 'KABUPATEN',"
            " '62', '2025-03-01', 0, false)")
    runs = build_reports("2025-03", provinsi="62", out=tmp_path)
    text = _pdf_text(runs[0].path(".pdf"))
    section9 = text[text.rindex("9. Catatan Metodologi"):]
    assert "Status sumber data untuk Maret 2025" in section9
    assert "Februari 2025" in section9 and "28 Februari 2025" in section9  # cut-off
    assert "realisasi_202503.xlsx" in section9
    assert "realisasi.kumulatif_tidak_turun" in section9
    findings = text[text.rindex("8. Temuan dan Rekomendasi"):text.rindex("9. Catatan")]
    assert "DATA_TERLAMBAT" in findings
    assert "realisasi (terakhir Februari 2025)" in " ".join(findings.split())
    assert "KAB. KOTAWARINGIN TIMUR" in findings
    assert "KAB. KOTAWARINGIN BARAT" not in findings.split("DATA_TERLAMBAT")[1]
    ws = load_workbook(runs[0].path(".xlsx"))["Status Sumber"]
    by_source = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert by_source["realisasi"][6] == 1 and by_source["kepesertaan"][6] == 0


def test_the_report_names_the_missing_sources(marts: str, tmp_path: Path) -> None:
    # The fixture marts have no realisasi: mart_kesehatan_status_sumber shows it missing.
    # Handed the plan's list (alphabetical, as audit.month_completeness gives it), the
    # report names those, in its own order of sources.
    def finding(runs: list) -> str:
        text = " ".join(_pdf_text(runs[0].path(".pdf")).split())
        return text[text.index("belum diterima saat laporan dibuat:"):].split(".")[0]

    assert finding(build_reports("2025-03", provinsi="62", out=tmp_path / "a")) == (
        "belum diterima saat laporan dibuat: realisasi")
    assert finding(build_reports("2025-03", provinsi="62", out=tmp_path / "b", reissue=True,
                                 missing=["anggaran", "peserta_rentan"])) == (
        "belum diterima saat laporan dibuat: peserta_rentan, anggaran")


def test_reissue_states_what_changed(marts: str, tmp_path: Path, smtp_inbox,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    port, received = smtp_inbox
    with psycopg.connect(marts) as conn:
        before = conn.execute(
            "SELECT peserta_aktif FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = '2025-03-01' AND kode_wilayah = '62.01'").fetchone()[0]
    first, second = send_and_reissue(marts, tmp_path / "reports", port, received,
                                     monkeypatch)
    assert [r.status for r in first if r.scope == "62"] == ["sent"]
    rev2 = second[0]
    assert rev2.status == "sent" and rev2.revision == 2 and rev2.previous == 1
    moved = f"KAB. KOTAWARINGIN BARAT: peserta aktif {fmt.num(before)} → {fmt.num(before + 1000)}"
    assert moved in rev2.changes
    assert "Baris wilayah dihapus: KOTA PALANGKA RAYA" in rev2.changes
    text = " ".join(_pdf_text(rev2.path(".pdf")).split())
    assert "Perubahan dari revisi 1" in text and moved in text
    assert "Baris wilayah dihapus: KOTA PALANGKA RAYA" in text
    sheet = load_workbook(rev2.path(".xlsx"))["Perubahan"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert ("KAB. KOTAWARINGIN BARAT", "peserta aktif", fmt.num(before),
            fmt.num(before + 1000)) in rows
    mail = email.message_from_bytes(received[-1].as_bytes(), policy=policy.default)
    assert "(revisi 2)" in mail["Subject"]
    assert moved in mail.get_body(("plain",)).get_content()

"""Monthly reports built from fixture marts on the real embedded PostgreSQL."""

from __future__ import annotations

import email
import socket
import subprocess
import time
from email import policy
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from report_support import PERIODE, marts_fixture  # noqa: F401  (a fixture)

from monev.reports import formatting as fmt
from monev.reports.build import build_reports
from monev.reports.content import build_content
from monev.reports.data import MartData

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"



def _mart_rows(url: str, where: str) -> dict[str, dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(f"SELECT * FROM marts.mart_monev_wilayah_bulanan WHERE {where}")
        return {r["nama_wilayah"]: r for r in cur.fetchall()}


def _derived(mart: dict) -> dict:
    """The report's own figures, from the mart columns they are computed from."""
    billed, spent = mart["iuran_ditagih_rp"], mart["realisasi_rp"]
    known = billed is not None and spent is not None
    return {"selisih_tagihan_rp": billed - spent if known else None,
            "rasio_realisasi_tagihan_persen": spent / billed * 100 if known and billed else None}


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_excel_equals_marts_for_every_table(marts: str, tmp_path: Path) -> None:
    runs = build_reports("2025-03", provinsi="62", out=tmp_path)
    assert [r.status for r in runs] == ["built"]
    wb = load_workbook(runs[0].path(".xlsx"))
    rows = _mart_rows(marts, "periode = '2025-03-01' AND kode_provinsi = '62'")
    with psycopg.connect(marts) as conn:
        data = MartData.load(conn, PERIODE).for_scope("62")
    content = build_content(data, "62")
    checked = 0
    for table in content.tables.values():
        ws = wb[table.sheet[:31]]
        header = [c.value for c in ws[1]]
        assert header == [c.header for c in table.columns]
        assert ws.freeze_panes == "B2" and ws.auto_filter.ref
        body = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(body) == len(table.rows)
        if table.source != "marts.mart_monev_wilayah_bulanan" or table.sheet == "Tren":
            continue
        for values in body:
            mart = rows[values[header.index("Wilayah")]] if "Wilayah" in header else None
            if mart is None:
                continue
            for col, value in zip(table.columns, values, strict=True):
                expected = _derived(mart).get(col.key, mart.get(col.key, "absent"))
                assert expected != "absent", col.key
                if col.kind == "bool":
                    assert value == (None if expected is None else
                                     "Ada" if expected else "Belum ada")
                elif col.kind == "text":
                    assert value == expected
                elif expected is None:
                    assert value is None, (table.sheet, col.key)  # NULL stays empty, not 0
                else:
                    assert value == pytest.approx(float(expected), rel=1e-12), col.key
                checked += 1
    assert checked > 100


def test_pdf_text_carries_headline_figures(marts: str, tmp_path: Path) -> None:
    runs = build_reports("2025-03", provinsi="31", out=tmp_path)
    text = _pdf_text(runs[0].path(".pdf"))
    prov = _mart_rows(marts, "periode = '2025-03-01' AND kode_wilayah = '31'")["DKI JAKARTA"]
    for figure in (fmt.pct(prov["cakupan_persen"]), fmt.num(prov["peserta_aktif"]),
                   fmt.rupiah(prov["pagu_rp"]), fmt.pct(prov["target_persen"])):
        assert figure in text, figure
    assert "Maret 2025" in text and "Catatan Metodologi" in text
    assert "Halaman 2 dari" in text
    for section in ("Ringkasan Eksekutif", "Peringkat Daerah", "Temuan dan Rekomendasi"):
        assert section in text


def test_missing_budget_month_says_so(marts: str, tmp_path: Path) -> None:
    # February has no budget rows in the fixture (NULL budget columns, as the mart does).
    runs = build_reports("2025-02", provinsi="62", out=tmp_path)
    text = _pdf_text(runs[0].path(".pdf"))
    assert "Data anggaran belum tersedia" in text
    section = text[text.rindex("5. Dukungan Anggaran APBD"):text.rindex("6. Regulasi Daerah")]
    assert "Rp" not in section  # no zeros standing in for unknown budgets
    html = runs[0].path(".html").read_text(encoding="utf-8")
    assert "Data anggaran belum tersedia" in html
    ws = load_workbook(runs[0].path(".xlsx"))["Anggaran"]
    pagu = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert pagu and all(v is None for v in pagu)


@pytest.mark.service
def test_html_renders_in_headless_chromium(marts: str, tmp_path: Path) -> None:
    runs = build_reports("2025-03", provinsi="31", out=tmp_path)
    html = runs[0].path(".html")
    assert "http://" not in html.read_text() and "https://" not in html.read_text()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-html-mobile.png"
    shot.unlink(missing_ok=True)
    base = ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            f"--user-data-dir={tmp_path / 'chrome'}", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run([*base, "--dump-dom", html.as_uri()], capture_output=True,
                         text=True, timeout=120)
    assert "Ringkasan Eksekutif" in dom.stdout
    assert "Uncaught" not in dom.stderr and "CONSOLE" not in dom.stderr.upper().replace(
        "CONSOLE_", ""), dom.stderr[-2000:]
    subprocess.run([*base, "--window-size=412,2400", f"--screenshot={shot}", html.as_uri()],
                   capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_email_with_both_attachments_arrives(marts: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[email.message.EmailMessage] = []

    class Collect(Message):
        def handle_message(self, message) -> None:  # type: ignore[override]
            received.append(message)

    rec = tmp_path / "recipients.yml"
    rec.write_text('nasional: ["pusat@example.go.id"]\nprovinsi:\n  "31": ["dki@example.go.id"]\n')
    with socket.socket() as probe:  # a free port for the real SMTP server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(message_class=email.message.EmailMessage),
                            hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("MONEV_RECIPIENTS", str(rec))
        monkeypatch.setenv("MONEV_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MONEV_SMTP_PORT", str(port))
        runs = build_reports("2025-03", provinsi="31", out=tmp_path, send=True)
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        controller.stop()
    assert [r.status for r in runs] == ["sent"]
    assert len(received) == 1
    msg = email.message_from_bytes(received[0].as_bytes(), policy=policy.default)
    assert "dki@example.go.id" in msg["To"]
    names = sorted(p.get_filename() for p in msg.iter_attachments())
    assert names == ["monev_prov31_2025-03.pdf", "monev_prov31_2025-03.xlsx"]
    pdf = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".pdf"))
    assert pdf.get_content() == runs[0].path(".pdf").read_bytes()

    # The month was sent: a plain re-run sends nothing, a reissue makes revision 2.
    rev1 = {f["path"]: f["sha256"] for f in runs[0].files}
    again = build_reports("2025-03", provinsi="31", out=tmp_path)
    assert again[0].status == "skipped" and "revisi 1" in again[0].message
    reissued = build_reports("2025-03", provinsi="31", out=tmp_path, reissue=True)
    assert reissued[0].revision == 2 and reissued[0].path(".pdf").name.endswith("_rev2.pdf")
    assert "menggantikan revisi 1" in reissued[0].message
    from monev.reports.build import _sha256
    for path, sha in rev1.items():
        assert _sha256(Path(path)) == sha  # revision 1's files untouched
    with psycopg.connect(marts) as conn:
        audit = conn.execute(
            "SELECT revision, status, jsonb_array_length(files), recipients::text"
            " FROM audit.report_runs WHERE scope = '31' ORDER BY run_id").fetchall()
    assert audit[0][:2] == (1, "sent") and "dki@example.go.id" in audit[0][3]
    assert audit[-1][:2] == (2, "built") and audit[-1][2] >= 3


def test_national_and_all_provinces_with_snapshot(marts: str, tmp_path: Path) -> None:
    runs = build_reports("2025-03", out=tmp_path)
    assert [r.scope for r in runs] == ["NASIONAL", "31", "62"]
    assert all(r.status == "built" for r in runs), [r.message for r in runs]
    nat = runs[0]
    text = _pdf_text(nat.path(".pdf"))
    n = _mart_rows(marts, "periode = '2025-03-01' AND kode_wilayah = '00'")["INDONESIA"]
    assert fmt.pct(n["cakupan_persen"]) in text
    # The snapshot rebuilds the same figures without the database.
    snap = MartData.read(Path(nat.snapshot))
    again = build_content(snap, "NASIONAL")
    assert again.headline["cakupan"] == pytest.approx(float(n["cakupan_persen"]))
    assert (tmp_path / "2025-03" / "monev_nasional_2025-03.xlsx").exists()


def test_unknown_values_show_as_dash_not_zero(marts: str, tmp_path: Path) -> None:
    # No denominator for province 62's kab/kota: coverage, ranks and targets are NULL.
    with psycopg.connect(marts) as conn:
        conn.execute(
            "UPDATE marts.mart_monev_wilayah_bulanan SET penduduk_bekerja = NULL,"
            " cakupan_persen = NULL, capaian_target_persen = NULL, gap_pp = NULL,"
            " peringkat = NULL, belum_terlindungi = NULL WHERE kode_provinsi = '62'")
    runs = build_reports("2025-03", provinsi="62", out=tmp_path)
    assert runs[0].status == "built", runs[0].message
    text = _pdf_text(runs[0].path(".pdf"))
    summary = text[text.rindex("1. Ringkasan Eksekutif"):text.rindex("2. Capaian Kepesertaan")]
    assert "–" in summary and "0,00%" not in summary
    ws = load_workbook(runs[0].path(".xlsx"))["Capaian"]
    header = [c.value for c in ws[1]]
    col = header.index("Cakupan")
    assert all(r[col] is None for r in ws.iter_rows(min_row=2, values_only=True))


def test_excel_text_is_safe_from_formula_injection(marts: str, tmp_path: Path) -> None:
    from monev.reports.excel import write_excel

    with psycopg.connect(marts) as conn:
        conn.execute("UPDATE marts.mart_monev_wilayah_bulanan SET nama_wilayah ="
                     " '=HYPERLINK(\"http://x\")' WHERE kode_wilayah = '62.01'")
        conn.commit()
        data = MartData.load(conn, PERIODE).for_scope("62")
    path = write_excel(build_content(data, "62"), 1, tmp_path / "annex.xlsx")
    names = [r[0] for r in load_workbook(path)["Capaian"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    assert not any(str(n).startswith(("=", "+", "-", "@")) for n in names)


def test_one_revision_rule_for_both_kinds(marts: str, tmp_path: Path) -> None:
    """`--reissue` of a built, unsent set makes a new revision stating what it replaces,
    for a month as for a semester (it rebuilt a month in place); without it, an unsent
    revision is rebuilt in place."""
    from monev.reports.semester_build import build_semester

    for build, key, name in ((build_reports, "2025-03", "monev_prov62_2025-03"),
                             (build_semester, "2025-1", "monev_semester_prov62_2025-1")):
        first = build(key, provinsi="62", out=tmp_path)
        again = build(key, provinsi="62", out=tmp_path, reissue=True)
        assert (first[0].revision, again[0].revision, again[0].previous) == (1, 2, 1), name
        assert again[0].path(".pdf").name == f"{name}_rev2.pdf"
        assert "revisi 2 menggantikan revisi 1" in again[0].message
        assert first[0].path(".pdf").exists()  # revision 1 kept beside it
        plain = build(key, provinsi="62", out=tmp_path)
        assert (plain[0].revision, plain[0].path(".pdf").name) == (2, f"{name}_rev2.pdf")

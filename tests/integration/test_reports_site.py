"""The reports site: built with every report run, served by `monev reports serve`'s
server on loopback, opened in headless Chromium as a stakeholder on a phone would."""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from report_support import send_and_reissue, smtp_inbox_fixture  # noqa: F401  (a fixture)
from sample_marts import create_fixture_marts

from monev.reports import formatting as fmt
from monev.reports.serve import make_server

PERIODE = dt.date(2025, 3, 1)
PASSWORD = "site-test-password"  # test-only
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0"]


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CHROMIUM, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def archive(warehouse: str, tmp_path: Path, smtp_inbox,
            monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    """Two months built; March sent, then province 62 changed and reissued."""
    port, received = smtp_inbox
    with psycopg.connect(warehouse) as conn:
        create_fixture_marts(conn, PERIODE, months=13)
        before = conn.execute(
            "SELECT peserta_aktif FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = '2025-03-01' AND kode_wilayah = '62.01'").fetchone()[0]
    root = tmp_path / "reports"
    from monev.reports.build import build_reports

    build_reports("2025-02", out=root)
    send_and_reissue(warehouse, root, port, received, monkeypatch)
    return root, before


def test_site_index_months_provinces_revisions(archive: tuple[Path, int]) -> None:
    root, before = archive
    index = (root / "index.html").read_text(encoding="utf-8")
    assert "http://" not in index and "https://" not in index  # offline
    assert index.index("Maret 2025") < index.index("Februari 2025")  # newest first
    for name in ("Nasional", "Daerah Khusus Ibukota Jakarta", "Kalimantan Tengah"):
        assert name in index
    # Every link resolves to a file of the archive.
    links = re.findall(r'href="([^"#]+)', index)
    assert len(links) >= 18
    for link in links:
        assert (root / link).exists(), link
    assert "2025-03/monev_prov62_2025-03_rev2.pdf" in links
    assert "2025-03/monev_prov62_2025-03.pdf" not in links  # rev2 is the current one
    month = (root / "2025-03" / "index.html").read_text(encoding="utf-8")
    assert "Perubahan dari revisi 1" in month
    assert (f"KAB. KOTAWARINGIN BARAT: peserta aktif {fmt.num(before)} →"
            f" {fmt.num(before + 1000)}") in month
    assert "Baris wilayah dihapus: KOTA PALANGKA RAYA" in month
    assert 'src="data:image/png;base64,' in month  # the coverage map
    assert "monev_prov62_2025-03.pdf" in month  # revision 1 stays listed


def _get(url: str, password: str | None = PASSWORD, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, data=b"x" if method == "PUT" else None)
    if password is not None:
        token = base64.b64encode(f"monev:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.service
def test_site_served_and_opened_in_chromium(archive: tuple[Path, int], tmp_path: Path) -> None:
    root, before = archive
    server = make_server(root, 0, PASSWORD)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}/"
    try:
        pdf = base + "2025-03/monev_prov62_2025-03_rev2.pdf"
        assert _get(pdf) == 200
        # who are you, even on loopback
        assert _get(pdf, password=None) == 401 and _get(pdf, password="wrong") == 401
        assert _get(base + "index.html", method="PUT") == 405  # read-only
        # no listings, no report data snapshots (participant pseudonyms), no links
        assert _get(base + "2025-03/") == 200  # its index.html, the month's page
        (root / "2025-03" / "lain").mkdir()
        assert _get(base + "2025-03/lain/") == 404  # a folder without one: no listing
        snapshots = sorted((root / "2025-03").glob("*_data/*"))
        assert snapshots
        for snap in snapshots[:3]:
            assert _get(base + snap.relative_to(root).as_posix()) == 404
        outside = tmp_path / "secret.pdf"
        outside.write_bytes(b"%PDF-secret")
        (root / "2025-03" / "link.pdf").symlink_to(outside)
        assert _get(base + "2025-03/link.pdf") == 404
        assert _get(base + "2025-03/..%2f..%2fsecret.pdf") == 404
        base = f"http://monev:{PASSWORD}@127.0.0.1:{port}/"  # Chromium sends it on
        dom = _chromium(tmp_path / "chrome", "--dump-dom", base)
        assert "Kalimantan Tengah" in dom.stdout and "Revisi 2" in dom.stdout
        assert "Uncaught" not in dom.stderr, dom.stderr[-2000:]
        ARTIFACTS.mkdir(exist_ok=True)
        shots = {"reports-site.png": (base, "412,1400"),
                 "reports-site-month.png": (base + "2025-03/index.html", "412,2000")}
        for name, (url, size) in shots.items():
            shot = ARTIFACTS / name
            shot.unlink(missing_ok=True)
            _chromium(tmp_path / "chrome", f"--window-size={size}", "--hide-scrollbars",
                      f"--screenshot={shot}", url)
            assert shot.exists() and shot.stat().st_size > 10_000, name
        month = _chromium(tmp_path / "chrome", "--dump-dom", base + "2025-03/index.html")
        assert f"{fmt.num(before + 1000)}" in month.stdout
        assert "Peta cakupan" in month.stdout
    finally:
        server.shutdown()
        server.server_close()

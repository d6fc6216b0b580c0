"""The report archive's two surfaces — the reports site (`monev reports serve`) and the
Airflow portal's /monev/laporan/ — answer by one rule (monev.reports.serve.servable):
no participant-level snapshot (`*_data/`), hidden staging folder or symlink is served by
either, to any user who logged in (the portal's Viewer role included). And the reports
site throttles failed logins per client address.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from monev.config import PROJECT_ROOT
from monev.reports import serve

SNAPSHOT = "2025-03/monev_prov62_2025-03_data"
PATHS = [
    "index.html",
    "2025-03/monev_prov62_2025-03.pdf",
    f"{SNAPSHOT}/nik_ganda.parquet",
    f"{SNAPSHOT}/MANIFEST.json",
    f"{SNAPSHOT}/",
    "2025-03/monev_prov62_2025-03%5Fdata/nik_ganda.parquet",
    ".staging/7/2025-03/monev_prov62_2025-03.pdf",
    "2025-03/link.pdf",
]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    (root / SNAPSHOT).mkdir(parents=True)
    (root / ".staging" / "7" / "2025-03").mkdir(parents=True)
    (root / "index.html").write_text("<h1>Laporan</h1>")
    (root / "2025-03" / "monev_prov62_2025-03.pdf").write_bytes(b"%PDF-1.7")
    (root / ".staging/7/2025-03/monev_prov62_2025-03.pdf").write_bytes(b"%PDF-1.7")
    (root / SNAPSHOT / "nik_ganda.parquet").write_bytes(b"PAR1 peserta")
    (root / SNAPSHOT / "MANIFEST.json").write_text("[]")
    (root / "2025-03" / "link.pdf").symlink_to(root / SNAPSHOT / "nik_ganda.parquet")
    return root


_PORTAL = """
import importlib.util, json, sys
from fastapi.testclient import TestClient
spec = importlib.util.spec_from_file_location("monev_portal", sys.argv[1])
m = importlib.util.module_from_spec(spec)
sys.modules["monev_portal"] = m
spec.loader.exec_module(m)
m.app.dependency_overrides[m.get_user] = lambda: object()  # any logged-in Airflow user
c = TestClient(m.app)
print(json.dumps({p: c.get("/laporan/" + p).status_code for p in sys.argv[2:]}))
"""


def test_the_portal_refuses_what_the_reports_site_refuses(archive: Path, tmp_path: Path
                                                           ) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(tmp_path / "airflow_home"), MONEV_REPORTS_DIR=str(archive),
               MONEV_STATE_DIR=str(tmp_path / "state"))
    out = subprocess.run([sys.executable, "-c", _PORTAL,
                          str(PROJECT_ROOT / "plugins" / "monev_portal.py"), *PATHS],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    portal = json.loads(out.stdout.strip().splitlines()[-1])
    site = {p: 200 if serve.servable(archive, "/" + p) is not None else 404 for p in PATHS}
    assert portal == site
    assert site["2025-03/monev_prov62_2025-03.pdf"] == 200
    assert site[f"{SNAPSHOT}/nik_ganda.parquet"] == 404


@pytest.fixture
def site(archive: Path) -> Iterator[tuple[int, str]]:
    server = serve.make_server(archive, 0, "rahasia-yang-benar")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], "rahasia-yang-benar"
    server.shutdown()
    server.server_close()


def _get(port: int, password: str | None, source: str = "127.0.0.1"
         ) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                      source_address=(source, 0))
    headers = {}
    if password is not None:
        token = base64.b64encode(f"{serve.USER}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    conn.request("GET", "/index.html", headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def test_the_reports_site_throttles_failed_logins(site: tuple[int, str]) -> None:
    port, password = site
    assert _get(port, password).status == 200
    assert _get(port, None).status == 401  # a browser's first request: not a failure
    for i in range(serve.MAX_FAILURES):
        assert _get(port, f"tebakan-{i}").status == 401
    # the address now waits, whatever it sends — the right password included
    for attempt in ("tebakan-lagi", password):
        resp = _get(port, attempt)
        assert resp.status == 429
        assert int(resp.getheader("Retry-After")) >= serve.FIRST_DELAY_S
    # another client address is not held up by this one's guessing
    assert _get(port, password, source="127.0.0.2").status == 200


def test_the_wait_doubles_and_ends() -> None:
    now = [1000.0]
    t = serve.Throttle(clock=lambda: now[0])
    for _ in range(serve.MAX_FAILURES - 1):
        t.failed("a")
    assert t.wait("a") == 0
    t.failed("a")
    assert t.wait("a") == serve.FIRST_DELAY_S
    now[0] += serve.FIRST_DELAY_S
    assert t.wait("a") == 0
    t.failed("a")
    assert t.wait("a") == 2 * serve.FIRST_DELAY_S
    for _ in range(20):
        t.failed("a")
    assert t.wait("a") == serve.MAX_DELAY_S
    t.succeeded("a")
    assert t.wait("a") == 0

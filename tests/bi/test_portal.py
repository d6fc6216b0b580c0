"""The front door (plugins/monev_portal.py): Airflow loads the plugin, its links name
every surface, and the static sites answer only a caller Airflow authenticated."""

from __future__ import annotations

import importlib.util
import sys

from fastapi.testclient import TestClient

from monev.config import PROJECT_ROOT


def _plugin():
    spec = importlib.util.spec_from_file_location(
        "monev_portal", PROJECT_ROOT / "plugins" / "monev_portal.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["monev_portal"] = module
    spec.loader.exec_module(module)
    return module


def test_links_to_every_surface() -> None:
    m = _plugin()
    names = [v["name"] for v in m.MonevPortal.external_views]
    assert names == ["Dasbor Monev (Superset)", "Laporan Monev", "Dokumentasi dbt",
                     "Data Docs GX"]
    assert m.MonevPortal.external_views[0]["href"].endswith("/dashboard/list/")
    assert all(not v["href"].startswith("/") for v in m.MonevPortal.external_views[1:])


def test_static_sites_need_airflows_login(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MONEV_REPORTS_DIR", str(tmp_path))
    (tmp_path / "index.html").write_text("<h1>Laporan</h1>")
    m = _plugin()
    client = TestClient(m.app)
    r = client.get("/laporan/index.html")
    assert r.status_code in (401, 403), r.status_code
    # with the dependency satisfied, the page is served and nothing outside the site is
    m.app.dependency_overrides[m.get_user] = lambda: object()
    assert client.get("/laporan/index.html").text == "<h1>Laporan</h1>"
    assert client.get("/laporan/../../etc/passwd").status_code == 404
    assert client.get("/laporan/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    assert client.get("/lain/index.html").status_code == 404

"""One front door: Airflow's UI links to every Monev surface.

- "Dasbor Monev" opens Superset's dashboards (its own login: each user's connection
  decides the rows it sees);
- "Laporan Monev", "Dokumentasi dbt" and "Data Docs GX" are the static sites (the reports
  archive, dbt docs, Great Expectations Data Docs), served by a FastAPI app inside
  Airflow's API server at /monev/… and only to a caller Airflow has authenticated (the
  same JWT cookie or bearer token the UI uses): they are behind Airflow's login, not
  beside it. The reports archive is served by the reports site's own rule
  (monev.reports.serve.servable): a report's participant-level `_data/` snapshot is
  refused here as there, to every Airflow user.

Airflow loads this file from its plugins folder (AIRFLOW__CORE__PLUGINS_FOLDER, set by
monev.localrun.airflow_home; /opt/airflow/plugins in the image).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from airflow.api_fastapi.core_api.security import get_user
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from monev.bi.server import base_url
from monev.config import settings
from monev.reports.serve import servable


def _sites() -> dict[str, tuple[Path, str]]:
    """Site name -> (folder, index page)."""
    cfg = settings()
    return {
        "laporan": (cfg.reports_dir, "index.html"),
        "dbt": (cfg.state_dir / "dbt_docs", "static_index.html"),
        "gx": (cfg.data_docs_dir, "index.html"),
    }


# Every route requires Airflow's authenticated user (401 otherwise).
app = FastAPI(title="Monev sites", dependencies=[Depends(get_user)])


@app.get("/{site}/")
def index(site: str) -> RedirectResponse:
    if site not in _sites():
        raise HTTPException(404)
    return RedirectResponse(_sites()[site][1])


@app.get("/{site}/{path:path}")
def static_file(site: str, path: str) -> FileResponse:
    if site not in _sites():
        raise HTTPException(404)
    root = _sites()[site][0].resolve()
    if site == "laporan":
        # the reports archive by the reports site's own rule (monev.reports.serve):
        # never a report's `_data/` snapshot, a hidden folder or a symlink, whoever asks
        found = servable(root, path or _sites()[site][1])
        if found is None:
            raise HTTPException(404, "no such page (has the site been built?)")
        return FileResponse(found)
    target = (root / (path or _sites()[site][1])).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise HTTPException(404, "no such page (has the site been built?)")
    return FileResponse(target)


class MonevPortal(AirflowPlugin):
    name = "monev_portal"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": app, "url_prefix": "/monev", "name": "Monev sites"}]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {"name": "Dasbor Monev (Superset)", "href": f"{base_url()}/dashboard/list/",
         "destination": "nav", "category": "browse"},
        {"name": "Laporan Monev", "href": "monev/laporan/index.html", "destination": "nav",
         "category": "browse", "url_route": "laporan-monev"},
        {"name": "Dokumentasi dbt", "href": "monev/dbt/static_index.html",
         "destination": "nav", "category": "docs", "url_route": "dokumentasi-dbt"},
        {"name": "Data Docs GX", "href": "monev/gx/index.html", "destination": "nav",
         "category": "docs", "url_route": "data-docs-gx"},
    ]

"""Settings read from the environment, in one place.

Every command, DAG and test reads configuration through :func:`settings`, so the same
variable means the same thing everywhere. `.env.example` documents each variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    # Local state (embedded cluster, pseudonym key, kept rejected files) lives here.
    state_dir: Path
    # An existing PostgreSQL to use instead of the embedded cluster; None = embedded.
    warehouse_url: str | None
    pg_port: int
    pg_bin_dir: Path | None
    landing_url: str
    rejected_dir: Path
    reports_dir: Path
    dbt_project_dir: Path
    expectations_dir: Path
    data_docs_dir: Path

    @property
    def embedded(self) -> bool:
        return self.warehouse_url is None


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default


@cache
def settings() -> Settings:
    state = _path("MONEV_STATE_DIR", PROJECT_ROOT / ".monev")
    bin_dir = os.environ.get("MONEV_PG_BIN_DIR")
    return Settings(
        state_dir=state,
        warehouse_url=os.environ.get("WAREHOUSE_URL") or None,
        pg_port=int(os.environ.get("MONEV_PG_PORT", "55432")),
        pg_bin_dir=Path(bin_dir) if bin_dir else None,
        landing_url=os.environ.get("MONEV_LANDING_URL", str(state / "landing")),
        rejected_dir=_path("MONEV_REJECTED_DIR", state / "rejected"),
        reports_dir=_path("MONEV_REPORTS_DIR", PROJECT_ROOT / "reports"),
        dbt_project_dir=_path("MONEV_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project"),
        expectations_dir=_path("MONEV_EXPECTATIONS_DIR", PROJECT_ROOT / "expectations"),
        data_docs_dir=_path("MONEV_DATA_DOCS_DIR", state / "data_docs"),
    )


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    settings.cache_clear()

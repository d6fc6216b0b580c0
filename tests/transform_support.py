"""Helpers for the transform/RLS tests: a module-wide warehouse and kepesertaan files.

dbt builds are the slow part, so each test module gets ONE database (cloned from the
migrated template, or from the session's built months when it only reads them:
`built_months_template` in tests/conftest.py) and builds as few times as its assertions
need.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from warehouse_support import admin_url_for

from monev.config import reset_settings
from monev.warehouse import db

HEADER = (
    "periode;kode_wilayah;nama_wilayah;segmen;kategori_pekerja;sumber_iuran;"
    "tk_terdaftar;tk_aktif;tk_baru;tk_keluar;jumlah_proyek;iuran_rp"
)


@contextmanager
def module_warehouse(
    server_url: str, template_db: str, state: Path
) -> Iterator[str]:
    name = f"monev_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        with module_env(url, state):
            yield url
    finally:
        # as the admin: only a superuser may end a superuser session still on it
        with psycopg.connect(admin_url_for(server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def module_env(url: str, state: Path) -> Iterator[None]:
    """Every package call inside points at the database `url` and the state folder."""
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("WAREHOUSE_URL", url)
            mp.setenv("WAREHOUSE_ADMIN_URL", admin_url_for(url))
            mp.setenv("MONEV_STATE_DIR", str(state))
            reset_settings()
            db.forget_ready()
            yield
    finally:
        reset_settings()
        db.forget_ready()


def kepesertaan_file(
    folder: Path, yyyymm: str, rows: list[tuple[str, str, str, str, int, int]], rev: int = 0
) -> Path:
    """A contract-conform kepesertaan CSV: rows of (kode, segmen, kategori, sumber,
    terdaftar, aktif); new/left/contributions are fixed small numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = f"_rev{rev}" if rev else ""
    path = folder / f"kepesertaan_{yyyymm}{suffix}.csv"
    periode = f"{yyyymm[:4]}-{yyyymm[4:]}"
    lines = [HEADER]
    for kode, segmen, kategori, sumber, terdaftar, aktif in rows:
        proyek = "2" if segmen == "JAKON" else ""
        lines.append(
            f"{periode};{kode};;{segmen};{kategori};{sumber};{terdaftar};{aktif};1;0;{proyek};1000"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ingest(paths: list[Path]) -> None:
    from monev.ingest.pipeline import ingest_paths

    results = ingest_paths(paths)
    bad = [(r.file_name, r.status, [e.message for e in r.errors]) for r in results if not r.ok]
    assert not bad, bad


def build_ok(**kwargs: object) -> None:
    """Build and require success. Unit tests are skipped here: they test model logic on
    fixed inputs, independent of this module's data, and the suite runs them elsewhere."""
    from monev.transform.runner import build

    kwargs.setdefault("exclude", ["test_type:unit"])
    result = build(**kwargs)  # type: ignore[arg-type]
    assert result.success, [(n.name, n.status, n.message) for n in result.failed] or result.error

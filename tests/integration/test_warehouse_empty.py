"""'The warehouse is empty' has one meaning (monev.warehouse.db.is_empty), for the
restore and the rebuild alike: nothing but the shipped reference tables (their sources
marked `shipped` in monev.catalog, loaded on first use), no report run, no mart."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from monev import catalog
from monev.ingest.pipeline import ensure_reference
from monev.transform import rebuild
from monev.warehouse import backup, db


def test_shipped_reference_tables_leave_a_warehouse_empty_a_report_run_does_not(
        warehouse: str, tmp_path: Path) -> None:
    assert catalog.SHIPPED == ("wilayah_perubahan", "wilayah_bps")
    with psycopg.connect(warehouse, autocommit=True) as conn:
        assert db.is_empty(conn)
        loaded = ensure_reference(conn)
        assert {r.source for r in loaded} == set(catalog.SHIPPED)
        assert db.is_empty(conn) and backup.is_empty(warehouse)
        conn.execute("INSERT INTO audit.report_runs (periode, scope, status)"
                     " VALUES ('2025-01-01', 'NASIONAL', 'built')")
        assert not db.is_empty(conn) and not backup.is_empty(warehouse)
    archived = tmp_path / "deliveries"
    archived.mkdir()
    (archived / "kepesertaan_202501.csv").write_text("x\n")
    with pytest.raises(ValueError, match="not empty"):
        rebuild.rebuild(archived)

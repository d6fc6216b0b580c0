"""The warehouse comes up from nothing and its migrations are idempotent."""

from __future__ import annotations

import psycopg

from monev.warehouse import db
from monev.warehouse.migrate import migrate


def test_fresh_database_gets_schema_roles_and_region_seed(warehouse: str) -> None:
    with db.connect() as conn:
        schemas = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace")}
        assert {"raw", "stage", "audit"} <= schemas
        roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        assert {"monev_loader", "monev_transformer", "monev_bi", "monev_analyst"} <= roles
        counts = dict(
            conn.execute("SELECT tingkat, count(*) FROM raw.wilayah GROUP BY tingkat").fetchall()
        )
    assert counts == {"PROVINSI": 38, "KABUPATEN": 416, "KOTA": 98}


def test_migrations_apply_once(warehouse: str) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM audit.schema_migrations").fetchone()
        assert migrate(conn) == []
        after = conn.execute("SELECT count(*) FROM audit.schema_migrations").fetchone()
    assert before == after and before[0] >= 3

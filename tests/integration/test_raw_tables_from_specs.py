"""A raw table is its spec: the tables the migrations made for the first sources have
exactly the columns, types and NOT NULLs the pipeline would create from their specs
(`stage.raw_table_sql`), so a source added by its spec alone gets the same kind of table
(but for the NOT NULL batch_id and source_row the reference tables lack)."""

from __future__ import annotations

import psycopg
import pytest

from monev.ingest.stage import raw_table_sql
from monev.sources.registry import SPECS

FROM_SPEC = [s for s in SPECS if s.raw_types]

COLUMNS = ("SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
           "  || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
           " FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0"
           " AND NOT a.attisdropped ORDER BY a.attnum")


def test_every_source_but_the_partitioned_one_is_typed_by_its_spec() -> None:
    assert [s.name for s in SPECS if not s.raw_types] == ["peserta_rentan"]


@pytest.mark.parametrize("spec", FROM_SPEC, ids=lambda s: s.name)
def test_migrated_raw_table_is_what_its_spec_creates(warehouse: str, spec) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        migrated = conn.execute(COLUMNS, (spec.table,)).fetchall()
        conn.execute("CREATE SCHEMA scratch")
        scratch = f"scratch.{spec.name}"
        for statement in raw_table_sql(spec):
            conn.execute(statement.as_string(conn).replace(f'"raw"."{spec.name}"',
                                                           f'"scratch"."{spec.name}"'))
        created = conn.execute(COLUMNS, (scratch,)).fetchall()
    # by name: a column a later migration added sits last (staging copies the raw
    # table's shape, publish inserts by it, so the order is the table's own business)
    migrated_types = dict(migrated)
    if spec.is_referensi:
        # V003 left these nullable on the reference tables (tests seed reference rows by
        # hand, without a batch); a table made from a spec requires them
        for column in ("batch_id", "source_row"):
            assert f"{migrated_types[column]} NOT NULL" == dict(created)[column]
            migrated_types[column] += " NOT NULL"
    assert migrated_types == dict(created)
    assert [c for c, _ in created] == list(spec.columns)

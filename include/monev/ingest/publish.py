"""Publish: replace the source's period in raw.* with a staged batch, in one
transaction — whatever fails, the previously published data stays as it was."""

from __future__ import annotations

import psycopg
from psycopg import sql

from monev.ingest import audit
from monev.records import DBT_BUILD_LOCK, StagedBatch
from monev.sources.registry import spec
from monev.sources.spec import SourceFile


class Superseded(Exception):
    """A higher revision was published while this batch was being checked."""

    def __init__(self, by: int):
        self.by = by


# Test seam: called inside the publish transaction after the old period was removed
# and the new rows are in. A failure here must leave the old data intact.
def _after_replace(conn: psycopg.Connection, batch: StagedBatch) -> None:
    return None


def publish(conn: psycopg.Connection, sf: SourceFile, batch: StagedBatch) -> None:
    s = spec(sf.source)
    raw = sql.Identifier(*s.table.split("."))
    stage = sql.Identifier(*batch.stage_table.split("."))
    with conn.transaction():
        # Wait for a running dbt build to finish before changing what it reads (the
        # parse, stage and gate of this file did not wait); builds wait for publishes.
        conn.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s))", (DBT_BUILD_LOCK,))
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                     (f"monev:{sf.source}:{sf.period_key}",))
        in_force = audit.in_force(conn, sf)
        if in_force and not sf.is_referensi and sf.revision <= in_force.revision:
            raise Superseded(in_force.batch_id)  # a higher revision won the race
        if s.partitioned:
            _swap_partition(conn, sf, batch)
        else:
            where = sql.SQL(" AND ").join(
                sql.SQL("{} = %s").format(sql.Identifier(c)) for c in s.period_columns
            ) if s.period_columns else sql.SQL("true")
            conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(raw) + where,
                         s.period_values(sf))
            conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(raw, stage))
        _after_replace(conn, batch)
        audit.mark_published(conn, sf, batch.batch_id)


def partition_name(sf: SourceFile) -> str:
    assert sf.periode is not None
    return f"{sf.source}_p{sf.periode:%Y%m}"


def _swap_partition(conn: psycopg.Connection, sf: SourceFile, batch: StagedBatch) -> None:
    """Detach and drop the period's partition, attach the staging table in its place.
    The CHECK constraint proves the partition bound, so ATTACH does not rescan."""
    assert sf.periode is not None
    parent = spec(sf.source).table.split(".")[1]
    part = partition_name(sf)
    value = sf.periode.isoformat()
    stage_schema, stage_table = batch.stage_table.split(".")
    old = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
        " WHERE n.nspname = 'raw' AND p.relname = %s"
        " AND pg_get_expr(c.relpartbound, c.oid) = %s",
        (parent, f"FOR VALUES IN ('{value}')"),
    ).fetchall()
    parent_id = sql.Identifier("raw", parent)
    for (name,) in old:
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
            parent_id, sql.Identifier("raw", name)))
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier("raw", name)))
    st = sql.Identifier(stage_schema, stage_table)
    conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK (periode = {})").format(
        st, sql.Identifier(f"{part}_bound"), sql.Literal(value)))
    conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA raw").format(st))
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
        sql.Identifier("raw", stage_table), sql.Identifier(part)))
    conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
        parent_id, sql.Identifier("raw", part), sql.Literal(value)))
    conn.execute(sql.SQL("GRANT SELECT ON {} TO monev_transformer").format(
        sql.Identifier("raw", part)))

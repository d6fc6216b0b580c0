"""Stage: COPY a file's parsed rows into the batch's own staging table, shaped like its
raw table, streamed (the server stores a chunk while the next one is parsed)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pyarrow.csv as pcsv
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from monev.sources.failures import Failures
from monev.sources.parsing import run_parser
from monev.sources.profile import BatchProfile
from monev.sources.registry import spec
from monev.sources.spec import SourceFile, SourceSpec

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def table_name(source: str, batch_id: int) -> str:
    """stage.<source>__b<batch>: the name says whose rows it holds."""
    return f"stage.{source}__b{batch_id}"


def profile_table_name(source: str, batch_id: int) -> str:
    return f"stage.{source}_profil__b{batch_id}"


def raw_table_sql(s: SourceSpec) -> list[sql.Composed]:
    """The statements creating raw.<source> from its spec: the delivered columns, then
    batch_id and source_row; an index on the period columns the publish replaces by;
    readable by the transform (dbt)."""
    schema, table = s.table.split(".")
    ident = sql.Identifier(schema, table)
    columns = [sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(sql_type))
               for name, sql_type in (*s.raw_types, ("batch_id", "bigint NOT NULL"),
                                      ("source_row", "integer NOT NULL"))]
    out = [sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(columns))]
    if s.period_columns:
        out.append(sql.SQL("CREATE INDEX ON {} ({})").format(
            ident, sql.SQL(", ").join(map(sql.Identifier, s.period_columns))))
    out.append(sql.SQL("GRANT SELECT ON {} TO monev_transformer").format(ident))
    return out


def ensure_raw_table(conn: psycopg.Connection, s: SourceSpec) -> None:
    """Create raw.<source> from its spec if it does not exist yet: a source added by its
    spec needs no migration (the tables of the first sources are the migrations')."""
    if conn.execute("SELECT to_regclass(%s)", (s.table,)).fetchone()[0] is not None:
        return
    if not s.raw_types:
        raise RuntimeError(f"{s.table} does not exist and the {s.name} spec gives no raw_types")
    with conn.transaction():
        # two first loads of a new source at once: one creates, the other finds it
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"monev:create:{s.table}",))
        if conn.execute("SELECT to_regclass(%s)", (s.table,)).fetchone()[0] is None:
            for statement in raw_table_sql(s):
                conn.execute(statement)
            log.info("created %s from the %s spec", s.table, s.name)


@dataclass(frozen=True)
class Staged:
    rows: int
    profile_table: str | None = None  # see sources/profile.py
    grain_candidates: tuple[int, ...] = ()


def stage(
    conn: psycopg.Connection, sf: SourceFile, batch_id: int, failures: Failures,
    progress: Progress | None,
) -> Staged:
    """Create the batch's staging table and COPY the typed rows in (and, for a profiled
    source, its profile beside it)."""
    s = spec(sf.source)
    ensure_raw_table(conn, s)
    schema, table = table_name(sf.source, batch_id).split(".")
    raw_schema, raw_table = s.table.split(".")
    counter = [0]
    profile = BatchProfile(s.profile, s.grain) if s.profile else None
    with conn.transaction():
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(
            sql.Identifier(schema, table), sql.Identifier(raw_schema, raw_table)))
        # FREEZE (the table is new in this transaction): rows are written visible to
        # all, so the gate's scans and the publish's CHECK scan do not rewrite every
        # page to set hint bits (~1 s per 2 M rows).
        copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, FREEZE)").format(
            sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, s.columns)))
        # A worker thread feeds the server while this thread parses the next block.
        with conn.cursor() as cur, cur.copy(copy, writer=QueuedLibpqWriter(cur)) as cp:
            for chunk in run_parser(sf, batch_id, failures, counter, progress, profile):
                cp.write(chunk)
    if profile is None:
        # Fresh tables have no statistics; the gate's joins and aggregates plan better.
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
        return Staged(counter[0])
    if failures or not counter[0]:
        return Staged(counter[0])  # rejected before the gate: no profile needed
    return Staged(counter[0], stage_profile(conn, profile, sf.source, batch_id),
                  tuple(profile.grain_candidates()))


def stage_profile(conn: psycopg.Connection, profile: BatchProfile, source: str,
                  batch_id: int) -> str:
    """stage.<source>_profil__b<batch>: the rule columns typed as in raw, `n` rows,
    `rows_` the first source rows of the group in each block."""
    name = profile_table_name(source, batch_id)
    target = sql.Identifier(*name.split("."))
    cols = sql.SQL(", ").join(map(sql.Identifier, profile.columns))
    groups = profile.groups()
    buf = io.BytesIO()
    pcsv.write_csv(groups, buf, write_options=pcsv.WriteOptions(include_header=False))
    with conn.transaction():
        conn.execute(sql.SQL(
            "CREATE TABLE {} AS SELECT {} , 0::bigint AS n, '{{}}'::int[] AS rows_"
            " FROM {} WITH NO DATA").format(
            target, cols, sql.Identifier(*spec(source).table.split("."))))
        with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(
                target)) as cp:
            cp.write(buf.getvalue())
    return name


def drop(conn: psycopg.Connection, qualified: str) -> None:
    """Drop a staging table (and a batch's profile beside it)."""
    source, _, batch = qualified.split(".")[1].rpartition("__b")
    names = [qualified]
    if source and batch.isdigit() and not source.endswith("_profil"):
        names.append(profile_table_name(source, int(batch)))
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        for name in names:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
                sql.Identifier(*name.split("."))))
    except psycopg.Error as e:
        log.warning("staging table %s not dropped: %s", qualified, type(e).__name__)

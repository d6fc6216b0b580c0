"""Stage: COPY a file's parsed rows into the batch's own staging table, shaped like its
raw table, streamed (the server stores a chunk while the next one is parsed)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from monev.sources.common import Failures
from monev.sources.parsing import run_parser
from monev.sources.registry import spec
from monev.sources.spec import SourceFile

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def table_name(source: str, batch_id: int) -> str:
    """stage.<source>__b<batch>: the name says whose rows it holds."""
    return f"stage.{source}__b{batch_id}"


def stage(
    conn: psycopg.Connection, sf: SourceFile, batch_id: int, failures: Failures,
    progress: Progress | None,
) -> int:
    """Create the batch's staging table and COPY the typed rows in; rows staged."""
    s = spec(sf.source)
    schema, table = table_name(sf.source, batch_id).split(".")
    raw_schema, raw_table = s.table.split(".")
    counter = [0]
    with conn.transaction():
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(
            sql.Identifier(schema, table), sql.Identifier(raw_schema, raw_table)))
        copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, s.columns)))
        # A worker thread feeds the server while this thread parses the next block.
        with conn.cursor() as cur, cur.copy(copy, writer=QueuedLibpqWriter(cur)) as cp:
            for chunk in run_parser(sf, batch_id, failures, counter, progress):
                cp.write(chunk)
    # Fresh tables have no statistics; the gate's joins and aggregates plan better with them.
    conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
    return counter[0]


def drop(conn: psycopg.Connection, qualified: str) -> None:
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
            sql.Identifier(*qualified.split("."))))
    except psycopg.Error as e:
        log.warning("staging table %s not dropped: %s", qualified, type(e).__name__)

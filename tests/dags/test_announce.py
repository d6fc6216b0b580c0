"""`announce` hands a burst of loaded files to the transform once — and a retry of the
same ingest run (its task died after stamping, before Airflow recorded the event)
hands the same files on again rather than losing the burst. On real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest


def _loaded(conn: psycopg.Connection, relpath: str, period_key: str) -> int:
    batch_id = conn.execute(
        "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes, status)"
        " VALUES ('kepesertaan', %s, %s, %s, 1, 'loaded') RETURNING batch_id",
        (period_key, relpath, relpath)).fetchone()[0]
    conn.execute(
        "INSERT INTO audit.landing_files (location, relpath, fingerprint, source, period_key,"
        " status, batch_id) VALUES ('test', %s, 'f', 'kepesertaan', %s, 'loaded', %s)",
        (relpath, period_key, batch_id))
    conn.commit()
    return batch_id


def test_a_retry_of_the_same_run_announces_the_burst_again(
    airflow_env: dict, warehouse: str, landing: Path
) -> None:
    # airflow_env first: Airflow must be configured before anything imports it
    from airflow.sdk.exceptions import AirflowSkipException

    from monev.orchestration.ingest_tasks import announce

    with psycopg.connect(warehouse) as conn:
        first = [_loaded(conn, "kepesertaan_202403.csv", "2024-03"),
                 _loaded(conn, "kepesertaan_202404.csv", "2024-04")]
    announced = announce(None, "run-1")
    assert announced["batches"] == first and announced["periods"] == ["2024-03", "2024-04"]

    # the task died before Airflow stored the event; its retry carries the same burst
    assert announce(None, "run-1")["batches"] == first

    # another run: nothing new, so no event — the burst is not announced twice
    with pytest.raises(AirflowSkipException):
        announce(None, "run-2")
    with psycopg.connect(warehouse) as conn:
        later = _loaded(conn, "kepesertaan_202405.csv", "2024-05")
    assert announce(None, "run-3")["batches"] == [later]

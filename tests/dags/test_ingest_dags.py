"""The ingest DAG end to end with dag.test() on real PostgreSQL over small generated data:
a good file publishes, emits its source Asset with the period and one `monev_landed`
event for the burst; polling again finds nothing (processed once); a bad file fails at
the gate, emits nothing, queues no transform, leaves the warehouse as it was, and the
alert is recorded in audit.alerts and reaches a real SMTP server."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller

PERIODE = "2025-01"


def run(dag: Any, conf: dict[str, Any]) -> tuple[Any, list[dict], dict[str, str]]:
    """(dag run, asset event extras emitted by it, task states)."""
    from monev.localrun.runner import run_dag

    out = run_dag(dag, conf)
    return out, out.asset_events, out.tasks


def queued_runs(dag_id: str) -> int:
    """Asset-triggered runs waiting for `dag_id` (what the scheduler would start)."""
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        n = session.scalar(select(func.count()).select_from(AssetDagRunQueue)
                           .where(AssetDagRunQueue.target_dag_id == dag_id))
        return int(n or 0)


def clear_queue() -> None:
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    with create_session() as session:
        session.execute(delete(AssetDagRunQueue))



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from monev.synthetic import generate

    out = tmp_path_factory.mktemp("generated")
    generate(out, PERIODE, PERIODE, scale="small", seed=3, bad=("aktif_gt_terdaftar",))
    return out


def test_good_file_publishes_once_with_period(dagbag: dict, landing: Path, generated: Path,
                                              warehouse: str) -> None:
    shutil.copy(generated / "kepesertaan_202501.csv", landing)
    clear_queue()
    out, events, tasks = run(dagbag["ingest_landing"], {"periode": PERIODE})
    assert out.state == "success", tasks
    batches = [e for e in events if "source" in e and "batches" not in e]
    assert [(e["source"], e["periode"], e["file"]) for e in batches] == [
        ("kepesertaan", PERIODE, "kepesertaan_202501.csv")]
    landed = [e for e in events if "batches" in e]
    assert landed == [{"periods": [PERIODE], "batches": [batches[0]["batch_id"]],
                       "sources": ["kepesertaan"]}]
    assert queued_runs("transform_warehouse") == 1  # the scheduler would start it
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute("SELECT count(*) FROM raw.kepesertaan").fetchone()[0]
        assert rows > 0
        status = conn.execute("SELECT status FROM audit.landing_files").fetchall()
        assert status == [("loaded",)]

    # polled again: nothing new, so no load and no event
    again, events, tasks = run(dagbag["ingest_landing"], {"periode": PERIODE})
    assert again.state == "success"
    assert events == []
    assert not any(t.startswith("load[") for t in tasks)


def test_bad_file_fails_at_gate_and_alerts(dagbag: dict, landing: Path, generated: Path,
                                           warehouse: str, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    bad = sorted((generated / "bad").glob("kepesertaan_*.csv"))
    assert bad, "generator wrote no bad kepesertaan file"
    inbox = _Inbox()
    port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("MONEV_ALERT_EMAILS", "de@example.test")
        # the month's good delivery is in force; the bad one is a later revision of it
        shutil.copy(generated / "kepesertaan_202501.csv", landing)
        good, _, _ = run(dagbag["ingest_landing"], {"periode": PERIODE})
        assert good.state == "success"
        with psycopg.connect(warehouse) as conn:
            before = conn.execute("SELECT count(*), sum(tk_aktif) FROM raw.kepesertaan").fetchone()
        shutil.copy(bad[0], landing)
        clear_queue()
        out, events, tasks = run(dagbag["ingest_landing"], {"periode": PERIODE})
    finally:
        smtp.stop()
    assert out.state == "failed"
    assert any(t.startswith("load") and s == "failed" for t, s in tasks.items()), tasks
    assert events == []
    assert queued_runs("transform_warehouse") == 0
    with psycopg.connect(warehouse) as conn:
        after = conn.execute("SELECT count(*), sum(tk_aktif) FROM raw.kepesertaan").fetchone()
        assert after == before  # the previous good data stays in force
        status = conn.execute("SELECT status FROM audit.load_batches"
                              " WHERE source = 'kepesertaan' ORDER BY batch_id").fetchall()
        assert status == [("loaded",), ("rejected",)]
        alerts = conn.execute("SELECT kind, subject, body, emailed FROM audit.alerts"
                              " WHERE kind = 'failure'").fetchall()
    assert len(alerts) == 1 and alerts[0][1] == "[monev] FAILED ingest_landing.load"
    assert "tk_aktif" in alerts[0][2] and alerts[0][3] is True
    assert inbox.messages, "no alert email arrived"
    mail = inbox.messages[0]
    assert "FAILED ingest_landing.load" in mail
    assert "tk_aktif" in mail  # the broken rule is named
    assert "de@example.test" in mail

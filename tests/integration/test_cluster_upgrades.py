"""One-time upgrades of clusters made by older versions (passwords instead of trust,
durable commits, the application role owning the databases) run once per cluster and
are recorded with its data; `warehouse up` on an upgraded cluster does not run them
again. A cluster made now is recorded as upgraded."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from monev.config import reset_settings, settings
from monev.warehouse import cluster

ALL = ["passwords_required", "durable_commits", "app_role_owns_warehouse",
       "app_role_owns_airflow_db"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _count_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ran: list[str] = []
    monkeypatch.setattr(cluster, "_require_passwords", lambda c: ran.append("passwords"))
    monkeypatch.setattr(cluster, "_ensure_durable_commits", lambda c: ran.append("durable"))
    monkeypatch.setattr(cluster, "hand_over", lambda c, database: ran.append(database))
    return ran


def test_upgrades_run_once_and_are_recorded(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("MONEV_PG_PORT", str(_free_port()))
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    reset_settings()
    c = cluster.up()
    try:
        # made now: made upgraded, nothing to run
        assert cluster.applied_upgrades(c) == ALL
        with monkeypatch.context() as m:
            ran = _count_runs(m)
            cluster.up()
            assert ran == []
        # a cluster from before the record: each upgrade runs once, then never again
        (c.data_dir / cluster.UPGRADES_FILE).unlink()
        with monkeypatch.context() as m:
            ran = _count_runs(m)
            cluster.up()
            assert ran == ["passwords", "durable", cluster.DATABASE, settings().airflow_db]
            assert cluster.applied_upgrades(c) == ALL
            cluster.up()
            assert len(ran) == 4
        # the real upgrades, run on the made cluster, change nothing it needs
        (c.data_dir / cluster.UPGRADES_FILE).unlink()
        cluster.up()
        assert cluster.applied_upgrades(c) == ALL
    finally:
        cluster.stop(c, "immediate")
        reset_settings()

"""dbt's run results reach the warehouse: every `dbt build` records its invocation and
one row per node in audit.dbt_* (the BI view is marts.mart_dbt_run_results), and a
failing test is recorded as failed, named, with its failing-row count — the same
message transform_warehouse's task raises so the Airflow UI shows what broke."""

from __future__ import annotations

import psycopg
import pytest

SELECT = ["mart_dbt_run_results"]


def test_every_build_records_its_nodes_and_a_failing_test(warehouse: str) -> None:
    from monev.transform.runner import build

    first = build(select=SELECT)
    assert first.success, [(n.name, n.message) for n in first.failed] or first.error
    with psycopg.connect(warehouse) as conn:
        recorded = conn.execute(
            "SELECT r.name, r.resource_type, r.status, r.execution_time_s"
            " FROM audit.dbt_node_results r JOIN audit.dbt_invocations i USING (invocation_id)"
            " WHERE i.success").fetchall()
        assert ("mart_dbt_run_results", "model", "success") in {r[:3] for r in recorded}
        assert all(r[3] is not None and r[3] >= 0 for r in recorded)
        # a node result no test allows: the mart's accepted_values test must fail
        conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                     " finished_at, success) VALUES ('bogus', 'build', now(), now(), true)")
        conn.execute("INSERT INTO audit.dbt_node_results (invocation_id, unique_id,"
                     " resource_type, name, status) VALUES ('bogus', 'x.y', 'bogus', 'y', 'ok')")
    second = build(select=SELECT)
    assert not second.success
    failed = [n.name for n in second.failed]
    assert any(name.startswith("accepted_values_mart_dbt_run_results_resource_type")
               for name in failed), failed
    with psycopg.connect(warehouse) as conn:
        row = conn.execute(
            "SELECT status, failures, invocation_success FROM marts.mart_dbt_run_results"
            " WHERE name LIKE 'accepted_values_mart_dbt_run_results_resource_type%%'"
            " ORDER BY invocation_finished_at DESC LIMIT 1").fetchone()
    assert row == ("fail", 1, False)


def test_failed_build_names_the_failing_node_for_the_ui(warehouse: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from monev.orchestration import dbt_group
    from monev.transform import runner

    real = runner.build
    with psycopg.connect(warehouse) as conn:
        conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                     " finished_at, success) VALUES ('bogus', 'build', now(), now(), true)")
        conn.execute("INSERT INTO audit.dbt_node_results (invocation_id, unique_id,"
                     " resource_type, name, status) VALUES ('bogus', 'x.y', 'bogus', 'y', 'ok')")
    # the task's own code path, on the one model this test needs (a whole-project
    # build is what the DAG runs; its failure reporting is the same)
    monkeypatch.setattr(runner, "build", lambda **kw: real(select=SELECT, **kw))
    with pytest.raises(AirflowFailException) as err:
        dbt_group.build_marts(["2025-01"])
    assert "accepted_values_mart_dbt_run_results_resource_type" in str(err.value)
    assert "fail" in str(err.value)

"""Every DAG file imports cleanly, fast, with owners, tags, retry policy and docs."""

from __future__ import annotations

import time

EXPECTED = {"ingest_landing", "transform_warehouse", "monthly_reports", "watch_late_extracts",
            "full_history_tests"}
PARSE_BUDGET_S = 15.0


def test_every_dag_imports_within_budget(airflow_env: dict) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from monev.localrun.airflow_home import DAGS_FOLDER

    t0 = time.monotonic()
    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    seconds = time.monotonic() - t0
    assert bag.import_errors == {}
    assert set(bag.dag_ids) >= EXPECTED
    assert seconds < PARSE_BUDGET_S, f"parsing dags/ took {seconds:.1f}s"


def test_owners_tags_docs_and_retries(dagbag: dict) -> None:
    for dag_id, dag in dagbag.items():
        assert dag.doc_md and "re-run" in dag.doc_md.lower(), dag_id
        assert "monev" in dag.tags, dag_id
        for t in dag.tasks:
            assert t.owner == "monev-data-eng", (dag_id, t.task_id)
            if ".test" in t.task_id or t.task_id.endswith("_test"):
                assert t.retries == 0, f"{dag_id}.{t.task_id}: dbt tests must not retry"
            assert t.on_failure_callback, (dag_id, t.task_id)


def test_loads_and_dbt_never_share_a_pool(dagbag: dict) -> None:
    ingest = dagbag["ingest_landing"]
    load = ingest.get_task("load")
    assert load.pool == "monev_load"
    assert [o.name for o in load.outlets] == ["monev_batches"]  # alias: one event per batch
    assert load.retries >= 1  # I/O is retried; a rejection raises AirflowFailException
    announce = ingest.get_task("announce")
    assert [o.name for o in announce.outlets] == ["monev_landed"]
    assert announce.trigger_rule == "all_done"  # a rejected file does not hold up the rest
    build = dagbag["transform_warehouse"].get_task("dbt_build")
    assert build.pool == "monev_dbt" != load.pool


def test_transform_runs_once_per_burst_and_emits_marts(dagbag: dict) -> None:
    dag = dagbag["transform_warehouse"]
    assert _names(dag.timetable.asset_condition) == {"monev_landed"}
    assert [t.task_id for t in dag.tasks] == ["dbt_build"]
    assert [o.name for o in dag.get_task("dbt_build").outlets] == ["monev_marts"]
    assert dag.get_task("dbt_build").retries == 0  # a failing model or test is not flaky


def test_reports_monthly_and_on_marts_and_late_data_deadline(dagbag: dict) -> None:
    reports = dagbag["monthly_reports"]
    assert "monev_marts" in _names(reports.timetable.asset_condition)
    watch = dagbag["watch_late_extracts"]
    assert watch.deadline, "late data alert must be a Deadline Alert"


def _names(condition: object) -> set[str]:
    objects = getattr(condition, "objects", None)
    if objects is None:
        return {getattr(condition, "name", "")}
    return set().union(*(_names(o) for o in objects))

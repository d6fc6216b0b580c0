"""Every DAG file imports cleanly, fast, with owners, tags, retry policy and docs."""

from __future__ import annotations

import time

EXPECTED = {
    "ingest_referensi", "ingest_anggaran", "ingest_kepesertaan", "ingest_peserta_rentan",
    "ingest_realisasi", "transform_warehouse", "monthly_reports", "watch_late_extracts",
    "full_history_tests",
}
PARSE_BUDGET_S = 15.0


def test_every_dag_imports_within_budget(airflow_env: dict) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from monev.orchestration.airflow_home import DAGS_FOLDER

    t0 = time.monotonic()
    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    seconds = time.monotonic() - t0
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == EXPECTED
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


def test_ingest_loads_share_the_heavy_pool_and_emit_their_asset(dagbag: dict) -> None:
    for source in ("kepesertaan", "peserta_rentan", "anggaran", "realisasi", "referensi"):
        load = dagbag[f"ingest_{source}"].get_task("load")
        assert load.pool == "monev_heavy"
        assert [o.name for o in load.outlets] == [f"monev_raw_{source}"]
        assert load.retries >= 1  # I/O is retried; a rejection raises AirflowFailException


def test_transform_runs_on_any_source_asset_and_emits_marts(dagbag: dict) -> None:
    from airflow.sdk.definitions.asset import AssetAny

    dag = dagbag["transform_warehouse"]
    assert isinstance(dag.timetable.asset_condition, AssetAny)
    names = {a.name for a in dag.timetable.asset_condition.objects}
    assert names == {f"monev_raw_{s}" for s in
                     ("kepesertaan", "peserta_rentan", "anggaran", "realisasi", "referensi")}
    assert [o.name for o in dag.get_task("publish_marts").outlets] == ["monev_marts"]
    # cosmos rendered one task per model from the manifest
    assert sum(1 for t in dag.tasks if t.task_id.endswith("_run")) >= 10


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

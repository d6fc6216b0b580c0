"""Benchmark-only DAG (bench/bench_airflow_month.py points a second scheduler at this
folder): the same dbt project through astronomer-cosmos' ExecutionMode.WATCHER — one
`dbt build` producer task plus one sensor per model and one per model's tests — with
full refresh, to compare with the one-task `dbt_build` of transform_warehouse. Not
deployed: dags/ has no cosmos DAG (see monev.orchestration.dbt_group for why).
tests/dags/test_watcher_failures.py builds a small one with `watcher_dag(select=…)`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode
from cosmos.profiles import PostgresUserPasswordProfileMapping

from monev.config import settings


def record_run_results(project_dir: str, **_: Any) -> None:
    """cosmos runs dbt in a temporary copy of the project, outside monev's runner: keep
    its run results in audit.dbt_node_results as the one-task mode does (the producer
    calls this after dbt, before it fails or succeeds)."""
    from monev.transform import run_results
    from monev.warehouse import db

    run_results.record(Path(project_dir) / "target" / "run_results.json",
                       db.warehouse_url(start=False), since=0)


def watcher_dag(dag_id: str, select: list[str] | None = None) -> DAG:
    """The dbt project (or `select` of it) as a cosmos WATCHER task group."""
    project = settings().dbt_project_dir
    with DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2024, 1, 1),
        catchup=False,
        doc_md="Benchmark only: dbt build through cosmos WATCHER (producer + sensors).",
    ) as dag:
        DbtTaskGroup(
            group_id="dbt",
            project_config=ProjectConfig(dbt_project_path=project,
                                         manifest_path=project / "target" / "manifest.json"),
            profile_config=ProfileConfig(
                profile_name="monev", target_name="warehouse",
                profile_mapping=PostgresUserPasswordProfileMapping(
                    conn_id="monev_warehouse",
                    # 2 threads, as profiles.yml gives the plain build (the mapping's
                    # default is 1: not a like-for-like comparison)
                    profile_args={"schema": "marts", "threads": 2}),
            ),
            # one asset event per model is what the issue complained about: off
            render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, emit_datasets=False,
                                       select=select or []),
            execution_config=ExecutionConfig(
                execution_mode=ExecutionMode.WATCHER, invocation_mode=InvocationMode.DBT_RUNNER,
                setup_operator_args={"callback": record_run_results}),
            operator_args={"install_deps": False, "full_refresh": True, "retries": 0},
        )
    return dag


dag = watcher_dag("bench_transform_watcher")

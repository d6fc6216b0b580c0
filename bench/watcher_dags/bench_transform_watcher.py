"""Benchmark-only DAG (bench/bench_airflow_month.py points a second scheduler at this
folder): the same dbt project through astronomer-cosmos' ExecutionMode.WATCHER — one
`dbt build` producer task plus one sensor per model — with full refresh, to compare
with the one-task `dbt_build` of transform_warehouse. Not deployed: dags/ has no cosmos
DAG (see monev.orchestration.dbt_group for why)."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode
from cosmos.profiles import PostgresUserPasswordProfileMapping

from monev.config import settings

project = settings().dbt_project_dir

with DAG(
    dag_id="bench_transform_watcher",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    doc_md="Benchmark only: dbt build through cosmos WATCHER (producer + per-model sensors).",
):
    DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(dbt_project_path=project,
                                     manifest_path=project / "target" / "manifest.json"),
        profile_config=ProfileConfig(
            profile_name="monev", target_name="warehouse",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id="monev_warehouse", profile_args={"schema": "marts"}),
        ),
        # one asset event per model is what the issue complained about: off
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, emit_datasets=False),
        execution_config=ExecutionConfig(execution_mode=ExecutionMode.WATCHER,
                                         invocation_mode=InvocationMode.DBT_RUNNER),
        operator_args={"install_deps": False, "full_refresh": True, "retries": 0},
    )

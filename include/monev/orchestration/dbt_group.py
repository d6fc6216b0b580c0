"""The dbt build inside `transform_warehouse`: a cosmos DbtTaskGroup rendered from the
manifest (no `dbt ls` at parse time) and run with dbt's in-process runner — a
subprocess per model costs 3–6 s each here. Without a manifest (fresh clone before
`monev run`/`make setup` parsed the project) the DAG falls back to one task that runs
`dbt build` through monev.transform.runner, so the file still parses."""

from __future__ import annotations

from pathlib import Path

from monev.config import settings
from monev.orchestration.pools import HEAVY

WAREHOUSE_CONN_ID = "monev_warehouse"


def manifest_path() -> Path:
    return settings().dbt_project_dir / "target" / "manifest.json"


def manifest_stale() -> bool:
    """Is the manifest missing or older than any file of the dbt project?"""
    manifest = manifest_path()
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = settings().dbt_project_dir
    for sub in ("models", "macros", "seeds", "tests", "snapshots"):
        for f in (root / sub).rglob("*"):
            if f.is_file() and f.stat().st_mtime > built:
                return True
    return (root / "dbt_project.yml").stat().st_mtime > built


def ensure_manifest() -> bool:
    """Write dbt_project/target/manifest.json if it is missing or stale (set-up step,
    never at DAG import). Returns whether it parsed."""
    if not manifest_stale():
        return False
    from monev.transform import runner

    runner.parse()
    return True


def dbt_task_group(group_id: str = "dbt"):
    """The task group (or fallback task) that builds the marts."""
    from airflow.sdk import task

    manifest = manifest_path()
    if not manifest.exists():
        @task(task_id=f"{group_id}_build", pool=HEAVY, retries=0)
        def dbt_build() -> None:
            from monev.transform import runner

            result = runner.build()
            if not getattr(result, "success", True):
                from airflow.sdk.exceptions import AirflowFailException

                raise AirflowFailException(f"dbt build failed: {result}")

        return dbt_build()

    from cosmos import (
        DbtTaskGroup,
        ExecutionConfig,
        ProfileConfig,
        ProjectConfig,
        RenderConfig,
    )
    from cosmos.constants import InvocationMode, LoadMode, TestBehavior
    from cosmos.profiles import PostgresUserPasswordProfileMapping

    project_dir = settings().dbt_project_dir
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(dbt_project_path=project_dir, manifest_path=manifest),
        profile_config=ProfileConfig(
            profile_name="monev",
            target_name="warehouse",
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=WAREHOUSE_CONN_ID, profile_args={"schema": "marts"}
            ),
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            # one test task after all models: a task per model's tests doubled the run
            # (each dbt invocation costs seconds); a failing test still fails the run
            # before publish_marts emits the marts Asset.
            test_behavior=TestBehavior.AFTER_ALL,
        ),
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        # a failing dbt test is a data problem, not a flaky one: never retried
        operator_args={"retries": 0, "install_deps": False, "pool": HEAVY},
    )

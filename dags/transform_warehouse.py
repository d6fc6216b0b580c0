"""transform_warehouse: rebuild the marts with dbt when any source publishes."""

from __future__ import annotations

from airflow.sdk import DAG, Param, task

from monev.orchestration.assets import MARTS, SOURCE_ASSETS
from monev.orchestration.dbt_group import dbt_task_group
from monev.orchestration.defaults import START, TAGS, default_args

DOC = """
### Rebuild the marts (dbt, via astronomer-cosmos)

Runs when **any** source Asset gets an event (`monev_raw_*`, combined with `|`): a
published batch of kepesertaan, peserta_rentan, anggaran, realisasi or a reference file.
The months concerned come from the triggering events' `extra["periode"]` (an
asset-triggered run has no logical date) or from the `periods` param of a manual run.

Tasks: `periods` → dbt task group (one task per model, its tests right after it, no
retries on tests, dbt's in-process runner, rendered from `dbt_project/target/manifest.json`)
→ `publish_marts`, which emits the `monev_marts` Asset with `{"periods": [...]}` so
`monthly_reports` builds the reports of those months.

**Re-run / backfill:** trigger with `periods=["2024-03"]` (or `monev run --periode
2024-03`); the build is idempotent — marts are rebuilt from raw.* as a whole. Clearing a
failed model task re-runs it and everything downstream.
"""

with DAG(
    dag_id="transform_warehouse",
    schedule=(
        SOURCE_ASSETS["kepesertaan"]
        | SOURCE_ASSETS["peserta_rentan"]
        | SOURCE_ASSETS["anggaran"]
        | SOURCE_ASSETS["realisasi"]
        | SOURCE_ASSETS["referensi"]
    ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=1),
    params={"periods": Param([], type="array", description="months to report, YYYY-MM")},
    tags=[*TAGS, "transform", "dbt"],
    doc_md=DOC,
) as dag:

    @task(task_id="periods")
    def periods(**context) -> list[str]:
        from monev.orchestration.assets import periods_from_events

        found = periods_from_events(context.get("triggering_asset_events"))
        return sorted(set(found) | set(context["params"].get("periods") or []))

    @task(task_id="publish_marts", outlets=[MARTS])
    def publish_marts(months: list[str], **context) -> list[str]:
        context["outlet_events"][MARTS].extra = {"periods": months}
        return months

    months = periods()
    months >> dbt_task_group() >> publish_marts(months)

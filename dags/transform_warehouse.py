"""transform_warehouse: rebuild the marts with dbt once per burst of loaded deliveries."""

from __future__ import annotations

from airflow.sdk import DAG, Param, task

from monev import periods
from monev.orchestration.assets import LANDED, MARTS
from monev.orchestration.defaults import START, TAGS, default_args
from monev.orchestration.pools import DBT

DOC = """
### Rebuild the marts (dbt)

Runs on Asset `monev_landed`: `ingest_landing` emits it once per burst of arrivals,
when nothing is left waiting in the landing location, carrying every batch loaded
since the previous event (reference files included) and the months they touch.

One task, `dbt_build` (pool `monev_dbt`, so loads never queue behind it): one
`dbt build` of the whole project in-process — models, unit tests and data tests, facts
incremental by period. Its log lists every model with its status and time. **When a
model or test fails** the task is red and its error names each failed model or test
with dbt's message, then the models skipped downstream of it; nothing is emitted.
Every node's result is kept in `audit.dbt_node_results` (BI view:
`marts.mart_dbt_run_results`). On success it emits Asset `monev_marts` with
`{"periods": [...]}` → `monthly_reports`.

**Why one task and not cosmos `ExecutionMode.WATCHER`** (one producer `dbt build`
plus a sensor per model and per model's tests, each failed model a red task):
measured side by side (`bench/bench_airflow_month.py`, small month, 2-core machine)
this task is 0.84–1.13 × a plain `dbt build`, WATCHER 12 × (106 task processes
starve the producer's build). WATCHER is also marked experimental, its retries cross
tasks (a producer retry skips; a failed sensor's retry re-runs its model alone) and it
needs a callback to feed the audit. Its failure behaviour is tested in
`tests/dags/test_dbt_run_results.py`.

**Re-run:** trigger the DAG. The build is always whole and idempotent: every period
whose published delivery changed since the last build is rebuilt, whatever the run
names, so there is no per-month backfill. `periods` only adds months to the ones the
`monev_marts` event names (a manual or in-process run has no triggering events).
A failed model or test is not retried: fix the data (a `_revN` delivery) or the model,
then clear the task.
"""

with DAG(
    dag_id="transform_warehouse",
    schedule=LANDED,
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=0),
    params={"periods": Param([], type="array", items={"type": "string",
                                                      "pattern": periods.MONTH_PARAM_PATTERN},
                             description="months the monev_marts event names (YYYY-MM); the"
                                         " build itself is whole")},
    tags=[*TAGS, "transform", "dbt"],
    doc_md=DOC,
) as dag:

    @task(task_id="dbt_build", pool=DBT, outlets=[MARTS])
    def dbt_build(**context) -> list[str]:
        from monev.orchestration.assets import periods_from_events
        from monev.orchestration.dbt_group import build_marts

        found = periods_from_events(context.get("triggering_asset_events"))
        months = sorted(set(found) | set(context["params"].get("periods") or []))
        context["outlet_events"][MARTS].extra = {"periods": build_marts(months)}
        return months

    dbt_build()

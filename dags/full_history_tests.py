"""full_history_tests: every dbt data test over the whole history, once a week."""

from __future__ import annotations

from airflow.sdk import DAG, task

from monev.orchestration.defaults import START, TAGS, default_args
from monev.orchestration.pools import DBT

DOC = """
### Full-history data tests

Every Sunday at 02:00 WIB: runs every dbt data test of the warehouse over the whole
history (`monev transform --full-tests` does the same from the command line). The
monthly `transform_warehouse` runs test the big participant tables (the fact, the
double-funding models and their reconciliation with raw) only on the months its build
changed, so a month's cost does not grow with the history; this run checks the rest.
No model is rebuilt. A failing test fails the run (no retry) and emails the data
engineers with the failing tests. On a warehouse that was never built the task is
skipped (a fresh install's first screen stays green).

**Re-run:** clear the run after fixing the data or the models; it reads the warehouse
as it is then.
"""

with DAG(
    dag_id="full_history_tests",
    schedule="0 19 * * 6",  # Sunday 02:00 WIB (UTC+7)
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=0),
    tags=[*TAGS, "tests"],
    doc_md=DOC,
) as dag:

    @task(task_id="dbt_full_history_test", pool=DBT, retries=0)
    def dbt_full_history_test() -> None:
        from airflow.sdk.exceptions import AirflowSkipException

        from monev.transform.runner import build, has_built

        if not has_built():  # a fresh install: nothing to test, and no red first screen
            raise AirflowSkipException("the warehouse has no dbt build yet")
        result = build(select=["resource_type:test"], full_tests=True, wait=True)
        if not result.success:
            failed = ", ".join(f"{n.name} ({n.status})" for n in result.failed)
            raise RuntimeError(f"full-history data tests failed: {failed or result.error}")

    dbt_full_history_test()

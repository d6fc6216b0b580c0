"""monthly_reports: the month's national and provincial reports, sent once."""

from __future__ import annotations

from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Param, task

from monev.orchestration.assets import MARTS
from monev.orchestration.defaults import START, TAGS, default_args

DOC = """
### Monthly Monev reports

Runs on the 10th of each month at 06:00 WIB for the previous month, and whenever the
`monev_marts` Asset is updated (for the months in the event's `extra["periods"]`).
For each month: the national report and one per province (PDF/Excel/HTML from marts
only), archived and emailed **once** — a later marts refresh does not resend; the
reports package records every run in `audit.report_runs`.

**Re-run / re-issue:** trigger with `periode=YYYY-MM` and `reissue=true` (optionally
`provinsi=PP`) to produce and send a new revision of a month already sent
(`monev run --periode YYYY-MM` builds it, sending only if never sent).
Backfill: one manual run per month.
"""

with DAG(
    dag_id="monthly_reports",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 10 * *", timezone="Asia/Jakarta"), assets=MARTS
    ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=1),
    params={
        "periode": Param(None, type=["null", "string"], pattern=r"^\d{4}-\d{2}$"),
        "reissue": Param(False, type="boolean"),
        "provinsi": Param(None, type=["null", "string"], pattern=r"^\d{2}$",
                          description="only this province (re-issue one report)"),
    },
    tags=[*TAGS, "reports"],
    doc_md=DOC,
) as dag:

    @task(task_id="periods")
    def periods(**context) -> list[str]:
        from monev.orchestration.report_tasks import periods_for_run

        return periods_for_run(context)

    @task(task_id="build_reports")
    def build(periode: str, **context) -> dict:
        from monev.orchestration.report_tasks import build_period

        params = context["params"]
        return build_period(periode, reissue=bool(params.get("reissue")),
                            provinsi=params.get("provinsi"))

    build.expand(periode=periods())

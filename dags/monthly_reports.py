"""monthly_reports: each complete month's national and provincial reports, built once."""

from __future__ import annotations

from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Param, task

from monev.orchestration.assets import MARTS
from monev.orchestration.defaults import START, TAGS, default_args
from monev.orchestration.late_data import DUE_DAY

DOC = f"""
### Monthly Monev reports

Runs whenever the `monev_marts` Asset is updated, and on the 10th of each month at
06:00 WIB (for months whose due day passed with sources still missing).

`plan` decides per month (`monev.orchestration.completeness`; the same rule as the
view `audit.month_completeness`) and logs each month's loaded/missing sources:

* **build** — every source the report needs (kepesertaan, peserta_rentan, realisasi,
  the year's anggaran) has a loaded delivery; or day {DUE_DAY} of the next month
  (`MONEV_EXTRACT_DUE_DAY`) has passed, and then the report text names the missing ones;
* **reissue** — a delivery of an already reported month was loaded after its report:
  a new revision (`…_rev2` once sent), never an overwrite of a sent file;
* **wait** — sources missing before the due day, files still waiting in the landing
  location or load queue, a loaded batch not yet in the marts, or no marts yet (a fresh
  install: the run is green and builds nothing).

`build_reports` (one mapped task per month, one at a time, oldest first): the national
report and one per province (PDF/Excel/HTML from marts only), archived and emailed
once; every run is recorded in `audit.report_runs`.

**Re-run / re-issue:** trigger with `periode=YYYY-MM` (and `reissue=true`, optionally
`provinsi=PP`) to build that month regardless of the plan.
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

    @task(task_id="plan")
    def plan(**context) -> list[dict]:
        from monev.orchestration.report_tasks import months_to_report

        return months_to_report(context["params"])

    @task(task_id="build_reports", max_active_tis_per_dagrun=1,
          map_index_template="{{ report_month }}")
    def build(month: dict, **context) -> dict:
        from airflow.sdk import get_current_context

        from monev.orchestration.report_tasks import build_period

        get_current_context()["report_month"] = month["periode"]
        return build_period(month["periode"], reissue=month["reissue"],
                            provinsi=month["provinsi"])

    build.expand(month=plan())

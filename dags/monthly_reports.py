"""monthly_reports: each complete month's national and provincial reports, then each due
semester report, built once."""

from __future__ import annotations

from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Param, task

from monev import periods
from monev.catalog import REPORT
from monev.orchestration.assets import MARTS
from monev.orchestration.defaults import START, TAGS, default_args
from monev.readiness.late_data import DUE_DAY

DOC = f"""
### Monthly Monev reports

Runs whenever the `monev_marts` Asset is updated, and on the 10th of each month at
06:00 WIB (for months whose due day passed with sources still missing).

`plan` decides per month (`monev.readiness.completeness`; the same rule as the
view `audit.month_completeness`) and logs each month's loaded/missing sources:

* **build** — every source the report needs ({", ".join(REPORT)}; a budget: any
  version of the month's year) has a loaded delivery; or day {DUE_DAY} of the next month
  (`MONEV_EXTRACT_DUE_DAY`) has passed, and then the report text names the missing ones
  (the plan's list travels to `build_reports`);
* **reissue** — a delivery of an already reported month was loaded after its report:
  a new revision (`…_rev2` once sent), never an overwrite of a sent file;
* **wait** — sources missing before the due day, files still waiting in the landing
  location or load queue, a loaded batch not yet in the marts, or no marts yet (a fresh
  install: the run is green and builds nothing).

`build_reports` (one mapped task per month, one at a time, oldest first): the national
report and one per province (PDF/Excel/HTML from marts only), archived and emailed
once; every run is recorded in `audit.report_runs`.

`plan_semesters`, then `build_semester_reports` (after every month's reports of the
run, one semester at a time): the **Laporan Semester** (national + one annex per
province, `semester-YYYY-H/`) once the national report of the semester's last month
exists — that month was complete, or its due day passed and the report names the
months without data. Built once; when a national monthly report of one of its months
is rebuilt after it (a revision), the semester is reissued as a new revision stating
what changed (`monev.readiness.semester_plan`). Same archive, site, delivery and
`audit.report_runs` rules as the monthly reports (scope `SEMESTER:…`).

**Re-run / re-issue:** trigger with `periode=YYYY-MM` (and `reissue=true`, optionally
`provinsi=PP`) to build that month regardless of the plan; `semester=YYYY-H` (and
`reissue=true`) for a semester report.
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
        "periode": Param(None, type=["null", "string"], pattern=periods.MONTH_PARAM_PATTERN),
        "reissue": Param(False, type="boolean"),
        "provinsi": Param(None, type=["null", "string"], pattern=r"^[0-9]{2}$",
                          description="only this province (re-issue one report)"),
        "semester": Param(None, type=["null", "string"], pattern=periods.SEMESTER_PARAM_PATTERN,
                          description="build this semester report (YYYY-1 / YYYY-2)"),
    },
    tags=[*TAGS, "reports"],
    doc_md=DOC,
) as dag:

    @task(task_id="plan")
    def plan(**context) -> list[dict]:
        from monev.orchestration.report_tasks import months_to_report

        return months_to_report(context["params"])

    @task(task_id="build_reports", max_active_tis_per_dagrun=1,
          map_index_template="{{ report_month }}", multiple_outputs=True)
    def build(month: dict, **context) -> dict:
        from airflow.sdk import get_current_context

        from monev.orchestration.report_tasks import build_period

        get_current_context()["report_month"] = month["periode"]
        return build_period(month["periode"], reissue=month["reissue"],
                            provinsi=month["provinsi"], missing=month.get("missing"))

    @task(task_id="plan_semesters", trigger_rule="none_failed")
    def plan_semesters(**context) -> list[dict]:
        from monev.orchestration.report_tasks import semesters_to_report

        return semesters_to_report(context["params"])

    @task(task_id="build_semester_reports", max_active_tis_per_dagrun=1,
          map_index_template="{{ report_semester }}")
    def build_semester(semester: dict, **context) -> dict:
        from airflow.sdk import get_current_context

        from monev.orchestration.report_tasks import build_semester_report

        get_current_context()["report_semester"] = semester["semester"]
        return build_semester_report(semester["semester"], reissue=semester["reissue"])

    months = build.expand(month=plan())
    semesters = plan_semesters()
    months >> semesters
    build_semester.expand(semester=semesters)

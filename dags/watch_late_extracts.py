"""watch_late_extracts: alert when a month's extracts have not arrived by the due day."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, AsyncCallback, DeadlineAlert, DeadlineReference, task
from airflow.sdk.bases.sensor import PokeReturnValue

from monev.orchestration.defaults import START, TAGS, default_args
from monev.readiness.late_data import DUE_DAY, WATCHED

DOC = f"""
### Late-data watch

Starts on the 1st of each month and waits (sensor in reschedule mode, checking every
hour) until the previous month's {", ".join(WATCHED)} extracts are loaded. A Deadline
Alert fires if the run is not done by day {DUE_DAY} (`MONEV_EXTRACT_DUE_DAY`): the data
engineers get an email (and the webhook, if set) naming the missing extract. The
sensor times out at the end of the month and the run fails with the failure email.

**Re-run:** nothing to backfill — clear the run once the sender has delivered.
"""

with DAG(
    dag_id="watch_late_extracts",
    schedule="0 0 1 * *",
    start_date=START,
    catchup=False,
    max_active_runs=2,
    default_args=default_args(retries=0),
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=timedelta(days=DUE_DAY - 1),
        callback=AsyncCallback(
            "monev.orchestration.callbacks.late_extract_alert",
            kwargs={"source": ",".join(WATCHED), "due_day": DUE_DAY},
        ),
    ),
    tags=[*TAGS, "alerts"],
    doc_md=DOC,
) as dag:

    @task.sensor(task_id="extracts_arrived", poke_interval=3600, timeout=28 * 24 * 3600,
                 mode="reschedule")
    def extracts_arrived(**context) -> PokeReturnValue:
        from monev.readiness.late_data import missing

        gaps = missing(context["logical_date"].date())
        return PokeReturnValue(is_done=not gaps, xcom_value=gaps)

    extracts_arrived()

"""ingest_landing: load every new delivery in the landing location, then announce the burst."""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, Param, task

from monev import periods
from monev.orchestration.assets import BATCHES, LANDED, SOURCE_ASSETS
from monev.orchestration.defaults import POLL_MINUTES, START, TAGS, default_args
from monev.orchestration.pools import LOAD

DOC = f"""
### Ingest the landing location

Every {POLL_MINUTES:g} minute(s) (`MONEV_POLL_MINUTES`):

1. `detect` lists the landing location (`MONEV_LANDING_URL`: local folder, SFTP or S3
   prefix) and claims every file not processed yet (`audit.landing_files`; a `_revN`
   correction is a new file; a file rewritten in place gets a new fingerprint and is
   claimed again; links and special files are never claimed). Order: reference files,
   budgets, then months oldest first.
2. `load` (one mapped task per file, pool `monev_load`, one at a time in that order):
   parse, stage, quality gate, publish. Its log says file, status, batch, rows, period.
   * published → one event on Asset `monev_raw_<source>` (alias `monev_batches`) with
     `{{"periode", "batch_id", "file", ...}}` in `extra`;
   * duplicate / superseded → task skipped, no event;
   * rejected at the gate, or other bytes under a name already delivered
     (`ingest.name_reused`) → task **fails without retry**, the file is kept with its
     reasons, an alert is recorded in `audit.alerts` (and emailed when SMTP is set);
   * published files are archived byte for byte in `MONEV_ARCHIVE_DIR/deliveries`.
3. `announce` (runs whatever the loads did): when no file is left waiting in the landing
   location or the load queue, ONE event on Asset `monev_landed` with every batch loaded
   since the previous announcement → `transform_warehouse` runs once for the burst.
   While files are still waiting it is skipped and the next poll announces.
4. `all_loaded` marks the run failed when any file was rejected or failed.

Loads never wait for dbt: dbt builds use their own pool (`monev_dbt`).

**Re-run / backfill:** drop the files, the next poll takes them. Trigger with
`periode=YYYY-MM` to take only files up to that month. A rejected file is fixed by
delivering `..._revN`; a file that failed for I/O is offered again on the next poll.
"""

with DAG(
    dag_id="ingest_landing",
    schedule=timedelta(minutes=POLL_MINUTES),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    params={"periode": Param(None, type=["null", "string"], pattern=periods.MONTH_PARAM_PATTERN,
                             description="only files up to this month (YYYY-MM)")},
    tags=[*TAGS, "ingest"],
    doc_md=DOC,
) as dag:

    # inlets register the per-source assets the alias emits to
    @task(task_id="detect", inlets=list(SOURCE_ASSETS.values()))
    def detect(**context) -> list[dict]:
        from monev.orchestration import ingest_tasks

        return ingest_tasks.detect(context["params"].get("periode"), context["run_id"])

    # `-> dict` made Airflow infer multiple_outputs; said explicitly (ruff AIR)
    @task(task_id="load", pool=LOAD, outlets=[BATCHES], map_index_template="{{ landed_file }}",
          multiple_outputs=True)
    def load(item: dict, **context) -> dict:
        from airflow.sdk import get_current_context

        from monev.orchestration import ingest_tasks

        get_current_context()["landed_file"] = item["relpath"]  # names the mapped task in the UI
        return ingest_tasks.load(item, context["outlet_events"][BATCHES])

    @task(task_id="announce", outlets=[LANDED], trigger_rule="all_done", multiple_outputs=True)
    def announce(**context) -> dict:
        from monev.orchestration import ingest_tasks

        return ingest_tasks.announce(context["outlet_events"][LANDED], context["run_id"])

    loads = load.expand(item=detect())
    # a second leaf that a rejected file fails (upstream_failed): the run shows red while
    # `announce` still hands on the files that did load
    loads >> [announce(), EmptyOperator(task_id="all_loaded")]

"""One ingest DAG per source (`ingest_<source>`), all built by the same factory."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, Param, task

from monev.orchestration.assets import SOURCE_ASSETS
from monev.orchestration.defaults import POLL_MINUTES, START, TAGS, default_args
from monev.orchestration.landing import SOURCES
from monev.orchestration.pools import HEAVY

DOC = """
### Ingest `{source}` extracts

Every {poll} minutes: list the landing location (`MONEV_LANDING_URL`: local folder, SFTP
or S3 prefix), claim the `{source}` files not processed yet (`audit.landing_files`;
a `_revN` correction is a new file and is processed when it arrives), then for each
file (one mapped `load` task, pool `monev_heavy`): stage, run the quality gate, publish.

* published → Asset `monev_raw_{source}` event with `{{"periode", "batch_id", ...}}`
  in `extra` → `transform_warehouse` runs.
* duplicate / superseded → task skipped, no event.
* rejected at the gate → task **fails without retry**, the file is kept with its
  reasons, data engineers get an email; nothing downstream runs.

**Re-run / backfill:** trigger with `periode=YYYY-MM` to take only files up to that
month (`monev run --periode YYYY-MM` does it for the whole pipeline). A rejected file
is fixed by delivering `..._revN`; a file that failed for I/O is offered again on the
next run (clear the failed `load` task to retry at once).
"""


def build(source: str) -> DAG:
    asset = SOURCE_ASSETS[source]
    with DAG(
        dag_id=f"ingest_{source}",
        schedule=timedelta(minutes=POLL_MINUTES),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=default_args(),
        params={"periode": Param(None, type=["null", "string"], pattern=r"^\d{4}-\d{2}$",
                                 description="only files up to this month (YYYY-MM)")},
        tags=[*TAGS, "ingest", source],
        doc_md=DOC.format(source=source, poll=POLL_MINUTES),
    ) as dag:

        @task(task_id="detect")
        def detect(**context) -> list[dict]:
            from monev.orchestration import ingest_tasks

            return ingest_tasks.detect(source, context["params"].get("periode"),
                                       context["run_id"])

        @task(task_id="load", pool=HEAVY, outlets=[asset])
        def load(item: dict, **context) -> dict:
            from monev.orchestration import ingest_tasks

            return ingest_tasks.load(source, item, context["outlet_events"][asset])

        load.expand(item=detect())
    return dag


for _source in SOURCES:
    globals()[f"ingest_{_source}"] = build(_source)

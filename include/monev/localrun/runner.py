"""`monev run --periode YYYY-MM`: the monthly pipeline through Airflow, in-process.

`dag.test()` runs one DAG and never fires asset consumers, so this runs each DAG in
turn — `ingest_landing`, then `transform_warehouse` if it announced loaded batches,
then `monthly_reports` for the month — passing the period along as run conf, the same
way the asset events' `extra` carries it in a scheduled deployment. `monev airflow`
runs the same DAGs under the real scheduler (monev.localrun.services); both set up
through monev.localrun.prepare.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from monev.localrun import airflow_home
from monev.localrun.prepare import prepare


@dataclass
class DagOutcome:
    dag_id: str
    state: str
    seconds: float
    tasks: dict[str, str] = field(default_factory=dict)
    asset_events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunSummary:
    periode: str
    setup_seconds: dict[str, float] = field(default_factory=dict)
    dags: list[DagOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.state == "success" for d in self.dags)

    @property
    def published(self) -> list[dict[str, Any]]:
        return [e for d in self.dags if d.dag_id.startswith("ingest_") for e in d.asset_events
                if e.get("source") and "batch_id" in e and "batches" not in e]


def load_dags() -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(airflow_home.DAGS_FOLDER))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags


def run_dag(dag: Any, conf: dict[str, Any]) -> DagOutcome:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    t0 = time.monotonic()
    dr = dag.test(run_conf=conf)
    seconds = time.monotonic() - t0
    with create_session() as session:
        events = session.scalars(
            select(AssetEvent).where(AssetEvent.source_run_id == dr.run_id,
                                     AssetEvent.source_dag_id == dag.dag_id)
        ).all()
        extras = [dict(e.extra or {}) for e in events]
        tis = {ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): str(ti.state)
               for ti in dr.get_task_instances(session=session)}
    return DagOutcome(dag.dag_id, str(dr.state), seconds, tis, extras)


def run_period(periode: str, *, reports: bool = True, reissue: bool = False,
               provinsi: str | None = None) -> RunSummary:
    summary = RunSummary(periode, prepare())
    dags = load_dags()
    summary.dags.append(run_dag(dags["ingest_landing"], {"periode": periode}))
    if any("batches" in e for e in summary.dags[0].asset_events):
        periods = sorted({e["periode"] for e in summary.published if e.get("periode")} | {periode})
        summary.dags.append(run_dag(dags["transform_warehouse"], {"periods": periods}))
    if reports and all(d.state == "success" for d in summary.dags):
        summary.dags.append(
            run_dag(dags["monthly_reports"],
                    {"periode": periode, "reissue": reissue, "provinsi": provinsi})
        )
    if summary.ok:
        _forget_queued(["transform_warehouse", "monthly_reports"])
    return summary


def _forget_queued(dag_ids: list[str]) -> None:
    """The asset events of an in-process run also queue their consumers; those runs
    just happened here, so a scheduler started later (`monev airflow`) must not repeat
    them."""
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session
    from sqlalchemy import delete

    with create_session() as session:
        session.execute(delete(AssetDagRunQueue).where(AssetDagRunQueue.target_dag_id.in_(dag_ids)))


def summary_lines(summary: RunSummary) -> list[str]:
    """A short, personal-data-free account of the run: each DAG, its time, its tasks."""
    lines = [f"monev run {summary.periode}: {'OK' if summary.ok else 'FAILED'}"]
    setup = ", ".join(f"{k} {v:.1f}s" for k, v in summary.setup_seconds.items())
    lines.append(f"  set-up: {setup}")
    for d in summary.dags:
        bad = [t for t, s in d.tasks.items() if s not in ("success", "skipped")]
        note = f"  failed: {', '.join(bad)}" if bad else ""
        lines.append(f"  {d.dag_id:<24} {d.state:<8} {d.seconds:6.1f}s "
                     f"{len(d.tasks):3d} task(s) {len(d.asset_events)} event(s){note}")
    by_source: dict[str, int] = {}
    for e in summary.published:
        by_source[str(e.get("source"))] = by_source.get(str(e.get("source")), 0) + 1
    if by_source:
        lines.append(f"  published {len(summary.published)} file(s): "
                     + ", ".join(f"{s} {n}" for s, n in sorted(by_source.items())))
    return lines

"""The dbt build inside `transform_warehouse`: ONE `dbt build` of the whole project with
dbt's in-process runner (`monev.transform.runner.build`), in pool `monev_dbt`.

Why one task and not cosmos: under the real scheduler each cosmos task costs a process
start, an Airflow import and a DAG parse. The task-per-model group took 4–4.6 min
against 26 s for one `dbt build`; `ExecutionMode.WATCHER` (one producer build plus 104
sensors) took 12 × a plain build in bench/bench_airflow_month.py, because its task
processes starve the producer's build on two cores, where this task is ≈ 1 ×. The
failing models and tests are named in the task's error (with the models skipped
after them), every model's status is in its log, and every node's status and timing
is kept in `audit.dbt_node_results`.

`ensure_manifest` (set-up) still writes dbt_project/target/manifest.json for tools that
read it (dbt docs, cosmos in the benchmark comparison).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from monev.config import settings

if TYPE_CHECKING:
    from monev.transform.runner import TransformResult

log = logging.getLogger(__name__)


def manifest_path() -> Path:
    return settings().dbt_project_dir / "target" / "manifest.json"


def manifest_stale() -> bool:
    """Is the manifest missing or older than any file of the dbt project?"""
    manifest = manifest_path()
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = settings().dbt_project_dir
    for sub in ("models", "macros", "seeds", "tests", "snapshots"):
        for f in (root / sub).rglob("*"):
            if f.is_file() and f.stat().st_mtime > built:
                return True
    return (root / "dbt_project.yml").stat().st_mtime > built


def ensure_manifest() -> bool:
    """Write dbt_project/target/manifest.json if it is missing or stale (set-up step,
    never at DAG import). Returns whether it parsed."""
    if not manifest_stale():
        return False
    from monev.transform import runner

    runner.parse()
    return True


def build_marts(periods: list[str]) -> list[str]:
    """`dbt build` of the warehouse (incremental by period); raises naming every failed
    model/test (and the models skipped after them) so the Airflow UI shows what broke.
    Returns the periods for the event."""
    from airflow.sdk.exceptions import AirflowFailException

    from monev.transform import runner

    log.info("dbt build for periods %s", periods or "(reference data only)")
    # a `monev transform` someone started by hand holds the build lock: wait for it
    result = runner.build(wait=True)
    for n in result.nodes:
        if n.resource_type == "model":
            log.info("  %-8s %-45s %5.1fs", n.status, n.name, n.seconds)
    tests = [n for n in result.nodes if n.resource_type in ("test", "unit_test")]
    log.info("dbt build %s in %.1fs: %d model(s), %d test(s) (%d failed)",
             "OK" if result.success else "FAILED", result.seconds, len(result.models),
             len(tests), sum(n.status in ("fail", "error") for n in tests))
    if not result.success:
        # a failing model or test is not fixed by a retry
        raise AirflowFailException(failure_summary(result))
    return periods


def failure_summary(result: TransformResult) -> str:
    """What the failed task says in the UI: each failed model or test with dbt's
    message, the models skipped because of them, and where every node's result is."""
    lines = [f"dbt build failed: {len(result.failed)} node(s)"]
    lines += [f"  {n.resource_type} {n.name}: {n.status} — {(n.message or '')[:300]}"
              for n in result.failed]
    if not result.failed:
        lines.append(f"  {result.error or 'unknown error'}")
    skipped = sorted(n.name for n in result.models if n.status == "skipped")
    if skipped:
        lines.append(f"  skipped, downstream of a failure: {', '.join(skipped)}")
    lines.append("  every node's status and time: marts.mart_dbt_run_results")
    return "\n".join(lines)

"""A Celery worker runs only the deployed DAGs' code, whatever a broker message says.

A Celery task message (`execute_workload`) names the DAG file to import as a bundle and
a path relative to it, and the task runner imports `Path(bundle.path, dag_rel_path)`
(airflow.sdk.execution_time.task_runner.parse): `../..` or an absolute path there would
make the worker import any file on the machine as the worker's account. The broker
asks for a password (monev.localrun.services), and behind it the worker checks each
workload before it starts it (:func:`install`, in every worker `task_host` starts):

- a task's DAG file must be a `.py` file inside its configured bundle's folder, after
  every symlink is resolved;
- an executor callback's callable must be the project's own (`monev.…`, as the DAGs'
  deadline callbacks are) or one of that checked DAG file (Airflow names those
  `unusual_prefix_…` and imports the file by its path).

A refused workload fails (the scheduler marks its task instance failed) with the reason
in the worker's log; nothing of it is imported.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CALLBACK_PACKAGE = "monev."
DAG_FILE_MODULE = "unusual_prefix_"  # airflow's UNUSUAL_MODULE_PREFIX


class WorkloadRefused(RuntimeError):
    """A broker message asked for code outside what is deployed."""


def dag_file(bundle_name: str, version: str | None, dag_rel_path: str) -> Path:
    """The DAG file a workload names, when it lies inside its configured bundle's
    folder; WorkloadRefused otherwise."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager

    try:
        bundle = DagBundlesManager().get_bundle(name=bundle_name, version=version)
        root = Path(bundle.path).resolve()
    except Exception as e:  # an unknown bundle, a version it cannot give
        raise WorkloadRefused(f"bundle {bundle_name!r} is not deployed here ({e})") from None
    target = (root / str(dag_rel_path)).resolve()
    if not target.is_relative_to(root) or target.suffix != ".py" or not target.is_file():
        raise WorkloadRefused(f"DAG file {dag_rel_path!r} is not a DAG file of bundle"
                              f" {bundle_name!r} ({root})")
    return target


def check(workload: Any) -> None:
    """Raise WorkloadRefused unless `workload` runs only the deployed code."""
    info = getattr(workload, "bundle_info", None)
    if info is None:
        raise WorkloadRefused(f"a {type(workload).__name__} names no DAG bundle")
    dag_file(info.name, info.version, workload.dag_rel_path)
    callback = getattr(workload, "callback", None)
    if callback is not None:
        path = str((callback.data or {}).get("path", ""))
        if not path.startswith((CALLBACK_PACKAGE, DAG_FILE_MODULE)):
            raise WorkloadRefused(f"callback {path!r} is neither the project's"
                                  f" ({CALLBACK_PACKAGE}…) nor its DAG file's")


def install() -> None:
    """Check every workload before the Celery worker runs it: the provider's task
    (execute_workload) hands each one to BaseExecutor.run_workload."""
    from airflow.executors.base_executor import BaseExecutor

    original = BaseExecutor.run_workload

    def run_workload(workload: Any, **kwargs: Any) -> int:
        try:
            check(workload)
        except WorkloadRefused as e:
            log.error("monev: refused a workload from the broker: %s", e)
            raise
        return original(workload, **kwargs)

    BaseExecutor.run_workload = staticmethod(run_workload)  # type: ignore[method-assign]

"""`dbt build` in-process (dbtRunner) against the warehouse, with a per-model summary.

The CLI, the Airflow DAGs and the tests call :func:`build`; :func:`parse` writes the
manifest cosmos renders the DAG from; :func:`docs` writes the static documentation site.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monev.config import settings
from monev.records import DBT_BUILD_LOCK
from monev.transform import run_results
from monev.transform.profile import dbt_environment


@dataclass(frozen=True)
class NodeResult:
    name: str
    resource_type: str  # model | test | unit_test | seed | snapshot
    status: str  # success | error | fail | warn | skipped | pass
    seconds: float
    message: str | None = None


@dataclass
class TransformResult:
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]

    @property
    def models(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.resource_type in ("model", "seed", "snapshot")]


def project_dir() -> Path:
    return settings().dbt_project_dir


def _work_dirs() -> tuple[Path, Path]:
    # Builds write target/logs under the state dir, not the shared project dir: two
    # builds against two databases (tests, a DAG and the CLI) must not clobber each
    # other's artefacts.
    base = settings().state_dir / "dbt"
    return base / "target", base / "logs"


def _invoke(
    args: list[str], url: str | None, target_path: Path | None = None, needs_db: bool = True,
    on_node: Callable[[str], None] | None = None,
) -> Any:
    from dbt.cli.main import dbtRunner

    from monev.warehouse import db

    # parse needs no connection: do not start the embedded cluster for it
    url = db.ensure_warehouse(url) if needs_db else (url or db.planned_url())
    target, logs = _work_dirs()
    proj = str(project_dir())
    full = [
        *args,
        "--project-dir", proj,
        "--profiles-dir", proj,
        "--target-path", str(target_path or target),
        "--log-path", str(logs),
    ]
    started = time.time()
    with dbt_environment(url):
        res = dbtRunner(callbacks=[_node_finished(on_node)] if on_node else None).invoke(full)
    if needs_db and args[0] in run_results.RECORDED_COMMANDS:
        run_results.record((target_path or target) / "run_results.json", url, started)
    return res


def _node_finished(on_node: Callable[[str], None]) -> Callable[[Any], None]:
    """A dbt event callback calling on_node(name) as each node finishes (progress)."""
    def callback(event: Any) -> None:
        if event.info.name == "NodeFinished":
            on_node(event.data.node_info.node_name)
    return callback


def _node_results(res: Any) -> list[NodeResult]:
    out: list[NodeResult] = []
    results = getattr(getattr(res, "result", None), "results", None) or []
    for r in results:
        node = r.node
        status = str(getattr(r.status, "value", r.status))
        out.append(
            NodeResult(
                name=node.name,
                resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
                status=status,
                seconds=float(r.execution_time or 0.0),
                message=r.message if status not in ("success", "pass") else None,
            )
        )
    return out


class BuildRunning(RuntimeError):
    """Another dbt build holds the warehouse's build lock."""


@contextmanager
def build_lock(url: str | None = None, wait: bool = False) -> Iterator[None]:
    """Hold the warehouse's build lock (a PostgreSQL advisory lock, so it covers builds
    from any process or host) for the duration: two builds at once would race on the
    same relations ("relation … already exists")."""
    import psycopg

    from monev.warehouse import db

    with psycopg.connect(db.ensure_warehouse(url), autocommit=True) as conn:
        if wait:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (DBT_BUILD_LOCK,))
        elif not conn.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s))", (DBT_BUILD_LOCK,)).fetchone()[0]:
            raise BuildRunning("a build is already running on this warehouse; wait for it "
                               "to finish and run the transform again")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (DBT_BUILD_LOCK,))


def build(
    full_refresh: bool = False,
    select: list[str] | None = None,
    url: str | None = None,
    quiet: bool = True,
    exclude: list[str] | None = None,
    wait: bool = False,
    full_tests: bool = False,
    on_node: Callable[[str], None] | None = None,
) -> TransformResult:
    """Run `dbt build` (models, unit tests, data tests) and summarise every node. Raises
    BuildRunning if another build is running (wait=True: wait for it instead).
    Data tests on the big participant tables test the months this build changed;
    `full_tests` tests them over the whole history (the scheduled full-history run).
    `on_node(name)` is called as each node finishes (the CLI's progress bar)."""
    with build_lock(url, wait=wait):
        return _build(full_refresh, select, url, quiet, exclude, full_tests, on_node)


def _build(
    full_refresh: bool, select: list[str] | None, url: str | None, quiet: bool,
    exclude: list[str] | None, full_tests: bool = False,
    on_node: Callable[[str], None] | None = None,
) -> TransformResult:
    import time

    args = ["build"]
    if quiet:
        args += ["--quiet"]
    if full_refresh:
        args.append("--full-refresh")
    if full_tests:
        args += ["--vars", '{"monev_full_tests": true}']
    if select:
        # only tests whose parents are all selected: a partial build must not run a
        # relationship test against a table it did not build
        args += ["--select", *select, "--indirect-selection", "cautious"]
    if exclude:
        args += ["--exclude", *exclude]
    t0 = time.perf_counter()
    if not has_built(url):
        # Unit tests of incremental models read the columns of `this`, which does not
        # exist before the first build: build the models and data tests first, then run
        # the unit tests against the relations that now exist.
        runs = [
            _invoke([*args, "--exclude-resource-type", "unit_test"], url, on_node=on_node),
            _invoke(["test", "--quiet", "--select",
                     *([f"{sel},test_type:unit" for sel in select] if select
                       else ["test_type:unit"])], url, on_node=on_node),
        ]
    else:
        runs = [_invoke(args, url, on_node=on_node)]
    nodes = [n for r in runs for n in _node_results(r)]
    errors = [str(r.exception) for r in runs if r.exception]
    error = "; ".join(errors) if errors else None
    res = runs[-1] if all(r.success for r in runs) else next(r for r in runs if not r.success)
    ok = bool(res.success) and error is None and not any(
        n.status in ("error", "fail", "runtime error") for n in nodes
    )
    return TransformResult(ok, nodes, error, time.perf_counter() - t0)


def has_built(url: str | None = None) -> bool:
    """Whether the warehouse holds a dbt build yet (marts or intermediate relations)."""
    return not _first_build(url)


def _first_build(url: str | None) -> bool:
    import psycopg

    from monev.warehouse import db

    with psycopg.connect(db.ensure_warehouse(url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname IN ('marts', 'intermediate')"
        ).fetchone()
    return row is None or row[0] == 0


def parse(url: str | None = None) -> Path:
    """Write <dbt_project>/target/manifest.json (cosmos renders Airflow tasks from it)."""
    target = project_dir() / "target"
    res = _invoke(["parse", "--quiet"], url, target_path=target, needs_db=False)
    if not res.success:
        raise RuntimeError(f"dbt parse failed: {res.exception}")
    return target / "manifest.json"


def docs(out_dir: Path | None = None, url: str | None = None) -> Path:
    """Generate the documentation site (index.html + static_index.html) into out_dir."""
    out = out_dir or settings().state_dir / "dbt_docs"
    res = _invoke(["docs", "generate", "--static", "--quiet"], url, target_path=out)
    if not res.success:
        raise RuntimeError(f"dbt docs generate failed: {res.exception}")
    return out / "static_index.html"

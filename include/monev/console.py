"""What every `monev` command prints through: one console, library noise filtered once
at the entry point, and progress bars for long steps.

This is the one place logging is quietened. `setup()` is called by the CLI's entry
point before the libraries are imported, and `quiet_libraries()` before every DAG task
(the `on_execute_callback` of monev.orchestration.defaults, in the task process, whose
logging Airflow sets up after the CLI's): they silence library warnings where they are raised (the
`warnings` filter matches the module issuing them, so a warning of the project's own
code still shows) and turn the chattiest library loggers down to warnings or errors.
No module changes logging when it is imported. `progress()` is a transient rich bar
that disappears when the step is done, so the output keeps only the results.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()

# Libraries whose warnings (deprecations, "install provider X", experimental APIs) are
# not the operator's business: they describe the libraries, not the data or the run.
NOISY_MODULES = (
    "airflow", "cosmos", "great_expectations", "dbt", "dbt_common", "openlineage",
    "marshmallow", "pydantic", "sqlalchemy", "fsspec", "s3fs", "aiobotocore", "botocore",
    "paramiko", "weasyprint", "fontTools", "matplotlib", "pandas", "pyarrow", "jsonschema",
    "structlog",
)
# Their loggers, down to errors: cosmos' "Unavailable conversion function" per node,
# Airflow's config-parser and provider notices, GX's and WeasyPrint's chatter.
NOISY_LOGGERS = (
    "cosmos", "airflow.sdk._shared.configuration", "airflow.providers_manager",
    "airflow.models.dagbag", "great_expectations", "weasyprint", "fontTools",
    "matplotlib", "openlineage",
)
# Down to warnings: their INFO lines describe the library's steps (dbt's adapters,
# SQLAlchemy's pool, Alembic's migrations, tzlocal's guesses), not the data.
CHATTY_LOGGERS = ("dbt", "sqlalchemy", "alembic", "tzlocal")
# In the CLI's own process only (`monev run`/`demo` run the DAGs in it): Airflow's INFO
# lines about each step of dag.test(). Task processes keep them (Airflow's own logging
# configuration, AIRFLOW__LOGGING__LOGGING_LEVEL).
CLI_LOGGERS = ("airflow",)
_PATTERN = r"(" + "|".join(m.replace(".", r"\.") for m in NOISY_MODULES) + r")(\..*)?$"


def quiet_libraries() -> None:
    """Filter library warnings at their source and quiet library loggers (idempotent)."""
    # `module` is the module the warning is attributed to (its stacklevel's frame): a
    # deprecated Airflow API used by monev's own code still warns, and should be fixed.
    warnings.filterwarnings("ignore", module=_PATTERN)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


_DONE = False


def setup() -> None:
    """Once per process, at the entry point."""
    global _DONE
    if not _DONE:
        quiet_libraries()
        for name in CLI_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        _DONE = True


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A transient progress bar; yields `advance(step=1, total=None, label=None)`."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    with bar:
        task = bar.add_task(label, total=total)

        def advance(step: int = 1, total: int | None = None, label: str | None = None) -> None:
            bar.update(task, advance=step, **({"total": total} if total is not None else {}),
                       **({"description": label} if label else {}))

        yield advance


@contextmanager
def output_to(log: Path) -> Iterator[Console]:
    """Send everything the process (and its children) writes to stdout and stderr to
    `log` — Airflow's task logs, dbt's event lines, library warnings raised before any
    filter could see them — and yield a console on the terminal for the project's own
    lines. For commands that run whole pipelines in-process (`monev demo`, `monev run`):
    the detail stays available in the log, the screen shows what the user must know."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = Console(file=os.fdopen(os.dup(saved[0]), "w", buffering=1))
    with open(log, "ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            terminal.file.close()

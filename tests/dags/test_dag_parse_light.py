"""A DAG file's parse imports no heavy library: the scheduler's DAG processor parses
every file again and again, and each pays for whatever its imports pull in (pyarrow and
numpy through the source registry cost ~0.9 s a file). Task bodies import what they need
when they run. Measured against what `airflow.sdk` loads by itself.

One interpreter imports `airflow.sdk`, then forks once per DAG file (as the DAG
processor does): each file is parsed in a child that starts from exactly that state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monev.config import PROJECT_ROOT

DAGS = sorted((PROJECT_ROOT / "dags").glob("*.py"))
HEAVY = ("pyarrow", "numpy", "pandas", "dbt", "great_expectations", "psycopg", "cosmos",
         "weasyprint", "matplotlib")
_PROBE = """
import json, logging, os, runpy, sys
import airflow.sdk  # what Airflow itself loads (its plugins import cosmos) is not ours
heavy, files = json.loads(sys.argv[1]), sys.argv[2:]
before = set(sys.modules)
found = {}
for path in files:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        names = ("cosmos", "great_expectations", "dbt")
        levels = {n: logging.getLogger(n).level for n in names}
        try:
            runpy.run_path(path)
            out = {"heavy": sorted(m for m in heavy if m in sys.modules and m not in before),
                   "logging_changed": levels != {n: logging.getLogger(n).level for n in names}}
        except BaseException as e:
            out = {"error": repr(e)}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        found[path] = json.loads(fh.read() or '{"error": "the child said nothing"}')
    os.waitpid(pid, 0)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(PROJECT_ROOT / "include"), str(PROJECT_ROOT / "dags")])}
    out = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(HEAVY), *map(str, DAGS)],
                         env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("dag_file", DAGS, ids=lambda p: p.name)
def test_parsing_a_dag_file_imports_no_heavy_library(parsed: dict[str, dict],
                                                     dag_file: Path) -> None:
    found = parsed[str(dag_file)]
    assert "error" not in found, f"{dag_file.name} does not parse: {found.get('error')}"
    assert found["heavy"] == [], f"{dag_file.name} imports {found['heavy']} at parse time"
    assert not found["logging_changed"], f"{dag_file.name} configures logging at import"

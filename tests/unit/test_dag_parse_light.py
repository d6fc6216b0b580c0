"""A DAG file's parse imports no heavy library: the scheduler's DAG processor parses
every file again and again, and each pays for whatever its imports pull in (pyarrow and
numpy through the source registry cost ~0.9 s a file). Task bodies import what they need
when they run. Measured against what `airflow.sdk` loads by itself."""

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
import json, logging, runpy, sys
import airflow.sdk  # what Airflow itself loads (its plugins import cosmos) is not ours
before = set(sys.modules)
levels = {n: logging.getLogger(n).level for n in ("cosmos", "great_expectations", "dbt")}
runpy.run_path(sys.argv[1])
print(json.dumps({
    "heavy": sorted(m for m in sys.argv[2:] if m in sys.modules and m not in before),
    "logging_changed": levels != {n: logging.getLogger(n).level for n in levels},
}))
"""


@pytest.mark.parametrize("dag_file", DAGS, ids=lambda p: p.name)
def test_parsing_a_dag_file_imports_no_heavy_library(dag_file: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(PROJECT_ROOT / "include"), str(PROJECT_ROOT / "dags")])}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(dag_file), *HEAVY], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["heavy"] == [], f"{dag_file.name} imports {found['heavy']} at parse time"
    assert not found["logging_changed"], f"{dag_file.name} configures logging at import"

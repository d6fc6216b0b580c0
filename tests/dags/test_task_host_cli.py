"""monev.localrun.task_host started as the forking components start it: it imports every
warm module, then is the Airflow CLI (its `version` here), GX quietened — and nothing it
imports, before the fork or after, loads DataFusion, which starts its runtime's threads
on import: a task forked from a process that imported it would hold that runtime without
its threads. One interpreter (it used to be two, one for each claim)."""

from __future__ import annotations

import subprocess
import sys

# `python -m monev.localrun.task_host version`, telling at exit what it imported
_RUN = """
import atexit, runpy, sys
def _say():
    from monev.localrun.task_host import WARM
    print("warm:", all(m in sys.modules for m in WARM))
    print("datafusion:", any(m.split(".")[0] == "datafusion" for m in sys.modules))
atexit.register(_say)
sys.argv = ["task_host", "version"]
runpy.run_module("monev.localrun.task_host", run_name="__main__", alter_sys=True)
"""


def test_task_host_warms_up_without_datafusion_then_is_the_airflow_cli() -> None:
    out = subprocess.run([sys.executable, "-c", _RUN], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    import airflow

    lines = out.stdout.strip().splitlines()
    assert lines[-3:] == [airflow.__version__, "warm: True", "datafusion: False"], lines[-5:]
    assert "Skipping registering function" not in out.stdout + out.stderr  # GX quietened

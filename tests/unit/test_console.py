"""`monev demo` / `monev run` keep the screen to the project's lines: everything the
process and its children write to stdout/stderr during the pipeline goes to a log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_output_to_sends_process_and_child_output_to_the_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "run.log"
    probe = (
        "import logging, subprocess, sys, warnings\n"
        "from pathlib import Path\n"
        "from monev.console import output_to\n"
        f"with output_to(Path({str(log)!r})) as terminal:\n"
        "    print('library chatter')\n"
        "    print('a traceback-like line', file=sys.stderr)\n"
        "    warnings.warn('a library warning')\n"
        "    subprocess.run([sys.executable, '-c', 'print(\"child output\")'])\n"
        "    terminal.print('project line')\n"
        "print('after')\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["project", "line", "after"]
    assert run.stderr == ""
    text = log.read_text()
    for line in ("library chatter", "a traceback-like line", "a library warning",
                 "child output"):
        assert line in text


def test_logging_is_quietened_in_the_console_only() -> None:
    """Logger levels and warning filters are set at the entry points (monev.console),
    never as a side effect of importing some module."""
    from monev.config import PROJECT_ROOT

    package = PROJECT_ROOT / "include" / "monev"
    others = [f"{p.relative_to(package)}: {word}" for p in sorted(package.rglob("*.py"))
              if p.name != "console.py"
              for word in ("setLevel(", "filterwarnings(")
              if word in p.read_text()]
    assert not others, others

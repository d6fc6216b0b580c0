"""The compose tier's phase times in the terminal summary (captured output is not shown
for passing tests, and CI wants the figures)."""

from __future__ import annotations

import infra


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if infra.TIMES or infra.FIGURES:
        terminalreporter.section("compose tier: phases")
        for name, seconds in infra.TIMES.items():
            terminalreporter.write_line(f"{name:<28} {seconds:7.0f} s")
        for name, value in infra.FIGURES.items():
            terminalreporter.write_line(f"{name:<28} {value}")

"""Caps on the work of reading one delivered file (`config.FileLimits`).

A parser keeps a `Meter` for the file it reads and feeds it what it has read — per
block where it reads in blocks (the participant list: one numpy count per 16 MB block,
nothing per row), per line or row where it reads row by row anyway. Past a cap the meter
raises `LimitExceeded`; the parser records it as the rule it names (`<source>.too_large`,
`.too_many_lines`, `.too_slow`, `.too_many_cells`, `.too_many_strings`) and stops, so
the file is rejected within seconds whatever it would have cost to read to the end. The
wall-time cap is a deadline checked between blocks and row batches, in the parsing
thread itself: nothing is left running when the parse stops.
"""

from __future__ import annotations

import time

import numpy as np

from monev.config import FileLimits, settings

# Setting names as cited in messages, so the reader knows which cap to raise.
_PARTICIPANT = "MONEV_MAX_PARTICIPANT"
_FILE = "MONEV_MAX_FILE"


class LimitExceeded(Exception):
    """A cap of `FileLimits` was passed; `rule` is the suffix of the rule id."""

    def __init__(self, rule: str, what: str):
        super().__init__(what)
        self.rule = rule
        self.what = what


class Meter:
    """What has been read of one file, against its caps; the clock starts at creation."""

    def __init__(self, limits: FileLimits, prefix: str):
        self.limits = limits
        self._prefix = prefix
        self.deadline = time.monotonic() + limits.seconds
        self.bytes = 0
        self.lines = 0
        self.cells = 0

    @classmethod
    def participant_list(cls) -> Meter:
        return cls(settings().participant_limits, _PARTICIPANT)

    @classmethod
    def extract(cls) -> Meter:
        """Every extract but the participant list."""
        return cls(settings().file_limits, _FILE)

    def add(self, nbytes: int = 0, lines: int = 0) -> None:
        """Count a block (or a line) read; checks the caps and the clock."""
        self.bytes += nbytes
        self.lines += lines
        if self.bytes > self.limits.inflated_bytes:
            raise LimitExceeded(
                "too_large", f"the file holds more than {self.limits.inflated_bytes:,} bytes "
                f"once unpacked, the most a delivery may ({self._prefix}_BYTES); "
                "reading stopped there")
        if self.lines > self.limits.lines:
            raise LimitExceeded(
                "too_many_lines", f"the file holds more than {self.limits.lines:,} lines "
                f"(blank lines count), the most a delivery may ({self._prefix}_LINES); "
                "reading stopped there")
        self.check_time()

    def add_block(self, block: memoryview | bytes) -> None:
        """Count a block of text: its bytes and its line feeds, vectorised."""
        lines = int(np.count_nonzero(np.frombuffer(block, np.uint8) == 10)) if len(block) else 0
        self.add(len(block), lines)

    def add_row(self, cells: int) -> None:
        """Count an xlsx row of `cells` cells as read (padded to the sheet's width)."""
        self.cells += cells
        if self.cells > self.limits.cells:
            raise LimitExceeded(
                "too_many_cells", f"the worksheet holds more than {self.limits.cells:,} "
                "cells as read (a row counts as wide as the sheet claims to be), the most a "
                "delivery may (MONEV_MAX_XLSX_CELLS); reading stopped there")
        self.add(0, 1)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                "too_slow", f"reading the file took longer than {self.limits.seconds:g} s, the "
                f"most a delivery may take ({self._prefix}_SECONDS); reading stopped there")

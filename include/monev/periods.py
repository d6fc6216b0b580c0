"""Periods, in one place: the grammar of month and semester keys and the arithmetic of
months ('YYYY-MM') the pipeline, the completeness rule, the late-data watch, the
synthetic data, the reports and the benches share.

A month is written as its period key, 'YYYY-MM' (as in audit.load_batches.period_key
and file names' YYYYMM read back); `(year, month)` pairs and `date`s convert to and from
it. A semester is 'YYYY-1' (January-June) or 'YYYY-2' (July-December). Every reader of
a month or a semester - the CLI, the DAGs' `Param`s, the extract parsers, the report
archive - takes its grammar from here. Pure standard library: imported by DAG files at
parse time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from datetime import date

# The grammars, once. ASCII digits only: Python's \d (and int()) accept any Unicode
# digit, so '٢٠٢٥-٠١' or a fullwidth '２０２５-01' would otherwise pass as a month.
# Plain regular expressions (no named groups), valid in Python, RE2 (pyarrow) and the
# JSON-schema patterns of Airflow's Param alike.
YEAR_PATTERN = "[0-9]{4}"
MONTH_NUMBER_PATTERN = "(?:0[1-9]|1[0-2])"
MONTH_PATTERN = f"{YEAR_PATTERN}-{MONTH_NUMBER_PATTERN}"
SEMESTER_PATTERN = f"{YEAR_PATTERN}-[12]"
# the whole value, for a JSON-schema `pattern` (a search, not a full match)
MONTH_PARAM_PATTERN = f"^{MONTH_PATTERN}$"
SEMESTER_PARAM_PATTERN = f"^{SEMESTER_PATTERN}$"

_MONTH_KEY = re.compile(MONTH_PATTERN)
_SEMESTER_KEY = re.compile(SEMESTER_PATTERN)


def is_month(period_key: str) -> bool:
    """Is this period key a month ('2024-03')? Budget keys ('2024/murni'), reference
    keys ('all') and anything malformed are not."""
    return _MONTH_KEY.fullmatch(period_key) is not None


def parse(periode: str) -> tuple[int, int]:
    """(year, month) of a month key; ValueError naming the value when it is not one."""
    if _MONTH_KEY.fullmatch(periode) is None:
        raise ValueError(f"{periode!r} is not a month (YYYY-MM)")
    return int(periode[:4]), int(periode[5:])


def key(year: int, month: int) -> str:
    """The month key of (year, month): key(2024, 3) == '2024-03'."""
    if not 1 <= month <= 12 or not 0 <= year <= 9999:
        raise ValueError(f"no month {year}-{month}")
    return f"{year:04d}-{month:02d}"


def of(d: date) -> str:
    """The month `d` falls in."""
    return key(d.year, d.month)


def index(periode: str) -> int:
    """Months since year 0: consecutive months differ by one."""
    y, m = parse(periode)
    return y * 12 + m - 1


def shift(year: int, month: int, k: int) -> tuple[int, int]:
    """(year, month) k months after (before, when negative) (year, month)."""
    n = year * 12 + month - 1 + k
    return n // 12, n % 12 + 1


def add(periode: str, k: int) -> str:
    """The month k months after `periode` (before, when k is negative)."""
    return key(*shift(*parse(periode), k))


def previous(periode: str) -> str:
    return add(periode, -1)


def previous_month(d: date) -> str:
    """The month before the one `d` falls in (a run on 2024-04-10 looks at '2024-03')."""
    return key(*shift(d.year, d.month, -1))


def start(periode: str) -> date:
    """First day of the month."""
    return date(*parse(periode), 1)


def end(periode: str) -> date:
    """Last day of the month."""
    y, m = parse(periode)
    return date(y, m, calendar.monthrange(y, m)[1])


def months_apart(earlier: str, later: str) -> int:
    """How many months `later` is after `earlier` (negative when before)."""
    return index(later) - index(earlier)


def between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included; ValueError if `last` is
    before `first`."""
    n = months_apart(first, last)
    if n < 0:
        raise ValueError(f"periode_to {last} is before periode_from {first}")
    return [add(first, k) for k in range(n + 1)]


def due_date(periode: str, due_day: int) -> date:
    """Day `due_day` of the month after `periode`: when its extracts are due. A due day
    past the end of a short month is that month's last day."""
    following = add(periode, 1)
    return start(following).replace(day=min(due_day, end(following).day))


def is_semester(key: str) -> bool:
    """Is this a semester key ('2025-1', '2025-2')?"""
    return _SEMESTER_KEY.fullmatch(key) is not None


@dataclass(frozen=True)
class Semester:
    """A half year: Inpres 2/2021's six-monthly report to the President covers one."""

    year: int
    half: int  # 1 = January-June, 2 = July-December

    @classmethod
    def parse(cls, key: str) -> Semester:
        key = key.strip()
        if not is_semester(key):
            raise ValueError(f"semester {key!r}: expected YYYY-1 (Januari-Juni) or"
                             " YYYY-2 (Juli-Desember), e.g. 2025-1")
        return cls(int(key[:4]), int(key[5:]))

    @classmethod
    def of_month(cls, periode: dt.date) -> Semester:
        return cls(periode.year, 1 if periode.month <= 6 else 2)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def months(self) -> list[dt.date]:
        first = 1 if self.half == 1 else 7
        return [dt.date(self.year, first + i, 1) for i in range(6)]

    @property
    def first(self) -> dt.date:
        return self.months[0]

    @property
    def last(self) -> dt.date:
        return self.months[-1]

    @property
    def label(self) -> str:
        return (f"Semester I (Januari–Juni) {self.year}" if self.half == 1
                else f"Semester II (Juli–Desember) {self.year}")

    def year_before(self) -> Semester:
        return Semester(self.year - 1, self.half)

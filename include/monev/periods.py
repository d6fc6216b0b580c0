"""Months, in one place: the arithmetic of period keys ('YYYY-MM') the pipeline, the
completeness rule, the late-data watch, the synthetic data and the benches share.

A month is written as its period key, 'YYYY-MM' (as in audit.load_batches.period_key
and file names' YYYYMM read back); `(year, month)` pairs and `date`s convert to and from
it. Pure standard library: imported by DAG files at parse time.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTH_KEY = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def is_month(period_key: str) -> bool:
    """Is this period key a month ('2024-03')? Budget keys ('2024/murni'), reference
    keys ('all') and anything malformed are not."""
    return _MONTH_KEY.fullmatch(period_key) is not None


def parse(periode: str) -> tuple[int, int]:
    """(year, month) of a month key; ValueError naming the value when it is not one."""
    m = _MONTH_KEY.fullmatch(periode)
    if m is None:
        raise ValueError(f"{periode!r} is not a month (YYYY-MM)")
    return int(m.group(1)), int(m.group(2))


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

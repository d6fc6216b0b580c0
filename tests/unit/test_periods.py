"""Period arithmetic (monev.periods) against the calendar, by property."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monev import periods

months = st.builds(periods.key, st.integers(1900, 2200), st.integers(1, 12))
steps = st.integers(-1200, 1200)


@given(months)
def test_a_key_round_trips_and_is_a_month(p: str) -> None:
    assert periods.is_month(p)
    assert periods.key(*periods.parse(p)) == p
    assert periods.of(periods.start(p)) == p == periods.of(periods.end(p))


@given(st.text(max_size=12))
def test_is_month_only_for_yyyy_mm(s: str) -> None:
    y, dash, m = s[:4], s[4:5], s[5:]
    expected = (len(s) == 7 and y.isascii() and y.isdigit() and dash == "-"
                and m.isascii() and m.isdigit() and 1 <= int(m) <= 12)
    assert periods.is_month(s) == expected
    if not expected:
        with pytest.raises(ValueError, match="not a month"):
            periods.parse(s)


@pytest.mark.parametrize("key", ["2024/murni", "all", "2024", "2024-13", "2024-00",
                                 "2024-3", "2024-03\n", " 2024-03"])
def test_other_period_keys_are_not_months(key: str) -> None:
    assert not periods.is_month(key)


@given(months, steps, steps)
def test_adding_months_composes_and_inverts(p: str, a: int, b: int) -> None:
    assert periods.add(periods.add(p, a), b) == periods.add(p, a + b)
    assert periods.add(periods.add(p, a), -a) == p
    assert periods.months_apart(p, periods.add(p, a)) == a


@given(months)
def test_next_and_previous_month_follow_the_calendar(p: str) -> None:
    after_end = periods.end(p) + timedelta(days=1)
    assert after_end.day == 1 and periods.of(after_end) == periods.add(p, 1)
    before_start = periods.start(p) - timedelta(days=1)
    assert before_start == periods.end(periods.previous(p))


@given(st.dates(date(1901, 1, 1), date(2199, 12, 31)))
def test_previous_month_of_a_date(d: date) -> None:
    assert periods.previous_month(d) == periods.of(d.replace(day=1) - timedelta(days=1))


@given(months, st.integers(0, 60))
def test_between_lists_consecutive_months_inclusive(p: str, n: int) -> None:
    got = periods.between(p, periods.add(p, n))
    assert len(got) == n + 1 and got[0] == p and got[-1] == periods.add(p, n)
    assert all(periods.months_apart(a, b) == 1 for a, b in pairwise(got))
    assert got == sorted(got)  # keys sort as months do


@given(months, st.integers(1, 60))
def test_between_refuses_a_reversed_range(p: str, n: int) -> None:
    with pytest.raises(ValueError, match="is before"):
        periods.between(periods.add(p, n), p)


@given(months, st.integers(1, 31))
def test_due_date_is_in_the_following_month(p: str, day: int) -> None:
    due = periods.due_date(p, day)
    assert periods.of(due) == periods.add(p, 1)
    assert due.day == min(day, periods.end(periods.add(p, 1)).day)


def test_due_date_examples() -> None:
    assert periods.due_date("2024-12", 8) == date(2025, 1, 8)
    assert periods.due_date("2024-01", 31) == date(2024, 2, 29)
    assert periods.shift(2024, 1, -1) == (2023, 12)

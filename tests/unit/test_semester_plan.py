"""The semester plan's rule (monev.readiness.semester_plan.decide): due once the
national report of its sixth month exists, built once, reissued when a month's national
report is rebuilt after the semester report."""

from __future__ import annotations

import datetime as dt

from monev.periods import Semester
from monev.readiness.semester_plan import decide


def _t(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2025, 7, day, hour, tzinfo=dt.UTC)


def test_not_due_before_the_last_month_is_reported() -> None:
    monthly = {dt.date(2025, m, 1): _t(1) for m in range(1, 6)}
    assert decide(monthly, {}) == []


def test_due_once_after_the_sixth_month() -> None:
    monthly = {dt.date(2025, m, 1): _t(1) for m in range(1, 7)}
    [d] = decide(monthly, {})
    assert (d.semester, d.decision) == ("2025-1", "build")
    assert decide(monthly, {dt.date(2025, 1, 1): _t(2)}) == []


def test_a_short_semester_is_due_on_its_last_month_alone() -> None:
    [d] = decide({dt.date(2025, 12, 1): _t(1)}, {})
    assert (d.semester, d.decision, d.as_dict()["reissue"]) == ("2025-2", "build", False)


def test_a_revised_month_reissues() -> None:
    monthly = {dt.date(2025, m, 1): _t(1) for m in range(1, 7)}
    monthly[dt.date(2025, 3, 1)] = _t(5)
    [d] = decide(monthly, {dt.date(2025, 1, 1): _t(2)})
    assert (d.decision, d.as_dict()["reissue"]) == ("reissue", True)
    assert "2025-03" in d.reason
    # a month of another semester does not touch this one
    monthly[dt.date(2025, 7, 1)] = _t(9)
    assert [x.semester for x in decide(monthly, {dt.date(2025, 1, 1): _t(2)})] == ["2025-1"]


def test_semester_keys() -> None:
    s = Semester.parse("2025-2")
    assert (s.first, s.last, s.key) == (dt.date(2025, 7, 1), dt.date(2025, 12, 1), "2025-2")
    assert Semester.of_month(dt.date(2025, 6, 1)).key == "2025-1"

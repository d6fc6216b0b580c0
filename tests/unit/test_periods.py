"""Period arithmetic (monev.periods) against the calendar, by property."""

from __future__ import annotations

import re
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


# --- the grammars: one home (monev.periods), ASCII digits only ------------------------

NOT_ASCII = ["٢٠٢٥-01", "2025-٠١", "２０２５-01", "2025-0１", "2025-१२"]


@pytest.mark.parametrize("key", NOT_ASCII)
def test_a_month_is_written_in_ascii_digits(key: str) -> None:
    assert not periods.is_month(key)
    with pytest.raises(ValueError):
        periods.parse(key)


@pytest.mark.parametrize("key,ok", [("2025-1", True), ("2025-2", True), ("2025-3", False),
                                    ("2025-0", False), ("2025-12", False), ("2025-1x", False),
                                    ("٢٠٢٥-1", False), ("2025-١", False), ("２０２５-2", False)])
def test_semester_grammar(key: str, ok: bool) -> None:
    assert periods.is_semester(key) is ok
    if ok:
        s = periods.Semester.parse(key)
        assert s.key == key and len(s.months) == 6
        assert periods.Semester.of_month(s.first) == s == periods.Semester.of_month(s.last)
    else:
        with pytest.raises(ValueError):
            periods.Semester.parse(key)


def test_every_reader_of_a_month_refuses_what_the_grammar_refuses() -> None:
    import typer

    from monev import cli
    from monev.sources.values import ValueProblem, year_month

    for bad in ["2025-13", "2025-00", *NOT_ASCII]:
        with pytest.raises(typer.BadParameter):
            cli._periode(bad)
        with pytest.raises(ValueProblem):
            year_month(bad)
    for bad in ["2025-3", "٢٠٢٥-1", "2025-１"]:
        with pytest.raises(typer.BadParameter):
            cli._semester(bad)
    assert cli._periode("2025-12") == "2025-12" and cli._semester("2025-2") == "2025-2"
    assert year_month("2025-12") == date(2025, 12, 1)


@pytest.mark.parametrize("name", ["kepesertaan_202401_rev٣.csv", "kepesertaan_２０２４01.csv",
                                  "kepesertaan_2024٠1.csv", "anggaran_٢٠٢٤_murni.xlsx",
                                  "anggaran_2024_murni_rev３.xlsx"])
def test_a_file_name_is_written_in_ascii_digits(name: str) -> None:
    from pathlib import Path

    from monev.sources.registry import BY_NAME

    source = name.split("_")[0]
    assert BY_NAME[source].match(Path(name)) is None
    # the same name in ASCII digits is the source's
    ascii_name = name.translate({ord(c): str(int(c)) for c in name if c.isdigit()})
    assert BY_NAME[source].match(Path(ascii_name)) is not None


_GRAMMAR_COPY = re.compile(r"(\\d|\[0-9\])\{4\}-?(\\d\{2\}(?![-\\])|\[12\]|\(0\[1-9\])")


def test_the_month_and_semester_grammars_live_in_periods_only() -> None:
    from monev.config import PROJECT_ROOT

    files = [*(PROJECT_ROOT / "include" / "monev").rglob("*.py"),
             *(PROJECT_ROOT / "dags").glob("*.py")]
    copies = {str(f.relative_to(PROJECT_ROOT)): _GRAMMAR_COPY.findall(f.read_text())
              for f in files if f.name != "periods.py"}
    assert not {f: c for f, c in copies.items() if c}, (
        "a month or semester grammar outside monev.periods: "
        f"{ {f: c for f, c in copies.items() if c} }")


_PARAM_PROBE = """
import json, runpy, sys
from airflow.sdk.definitions.param import ParamsDict
ns = runpy.run_path(sys.argv[1])
dag = ns["dag"]
out = {}
for name, value in json.loads(sys.argv[2]):
    try:
        dag.params.get_param(name).resolve(value=value)
        out[f"{name}={json.dumps(value)}"] = True
    except Exception:
        out[f"{name}={json.dumps(value)}"] = False
print(json.dumps(out))
"""


@pytest.mark.parametrize("dag_file,cases", [
    ("monthly_reports.py", [("periode", "2025-12", True), ("periode", "2025-13", False),
                            ("periode", "2025-00", False), ("periode", "٢٠٢٥-01", False),
                            ("semester", "2025-2", True), ("semester", "2025-3", False),
                            ("semester", "２０２５-1", False)]),
    ("ingest_landing.py", [("periode", "2025-01", True), ("periode", "2025-13", False)]),
    ("transform_warehouse.py", [("periods", ["2025-01"], True), ("periods", ["2025-13"], False)]),
])
def test_the_dags_params_take_the_grammar(dag_file: str, cases: list) -> None:
    import json
    import os
    import subprocess
    import sys

    from monev.config import PROJECT_ROOT

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(PROJECT_ROOT / "include"), str(PROJECT_ROOT / "dags")])}
    out = subprocess.run(
        [sys.executable, "-c", _PARAM_PROBE, str(PROJECT_ROOT / "dags" / dag_file),
         json.dumps([(n, v) for n, v, _ in cases])],
        env=env, capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {f"{n}={json.dumps(v)}": ok for n, v, ok in cases}

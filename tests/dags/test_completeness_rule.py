"""The warehouse's completeness view and the catalog agree: for any set of deliveries
(loaded or not, months and budget years, every source), `audit.month_completeness`
lists the months with a loaded monthly delivery, and for each the report sources no
loaded delivery covers — exactly what `monev.catalog.Source.covers` says. The SQL
functions of the rule (`audit.delivery_covers`, `audit.delivery_up_to`, which the view
and the data-health marts call) answer as the Python rule on a table of cases."""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monev import catalog, periods
from monev.sources.anggaran import VERSI

# few months around a year's turn and budgets of those years (and one with no month), so
# that random deliveries often meet: a budget covering a month, two sources of a month
MONTHS = ["2024-12", "2025-01", "2025-02"]
BUDGETS = [f"{y}/{v}" for y in (2024, 2025, 2026) for v in VERSI]
PERIODIC = [s for s in catalog.SOURCES if not s.is_referensi]


def _key(source: catalog.Source) -> st.SearchStrategy[str]:
    return {"month": st.sampled_from(MONTHS), "budget": st.sampled_from(BUDGETS),
            "referensi": st.just("all")}[source.period]


# mostly periodic sources; reference tables now and then (they cover every month)
delivery = st.one_of(st.sampled_from(PERIODIC), st.sampled_from(catalog.SOURCES)).flatmap(
    lambda s: st.tuples(st.just(s.name), _key(s),
                        st.sampled_from(["loaded", "loaded", "rejected", "superseded"])))


def _expected(rows: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    loaded = [(s, k) for s, k, status in rows if status == "loaded"]
    months = {k for _, k in loaded if periods.is_month(k)}
    return {m: sorted(name for name in catalog.REPORT
                      if not any(s == name and catalog.BY_NAME[s].covers(k, m) for s, k in loaded))
            for m in months}


@pytest.fixture
def conn(warehouse: str):
    with psycopg.connect(warehouse) as c:
        yield c


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(delivery, min_size=1, max_size=12))
def test_view_agrees_with_the_catalog(conn: psycopg.Connection,
                                      rows: list[tuple[str, str, str]]) -> None:
    with conn.transaction(force_rollback=True):
        for i, (source, key, status) in enumerate(rows):
            conn.execute("INSERT INTO audit.load_batches (source, period_key, file_name, sha256,"
                          " bytes, status) VALUES (%s, %s, %s, %s, 1, %s)",
                          (source, key, f"f{i}", f"h{i}", status))
        got = {periode: sorted(missing) for periode, missing in conn.execute(
            "SELECT periode, missing_sources FROM audit.month_completeness").fetchall()}
        complete = dict(conn.execute(
            "SELECT periode, complete FROM audit.month_completeness").fetchall())
    expected = _expected(rows)
    assert got == expected
    assert complete == {m: not missing for m, missing in expected.items()}


# every kind of source against months and keys around a year's turn: the same month,
# earlier and later months, budgets of the year, the year before and after, a bare year
CASE_MONTHS = ["2024-12", "2025-01", "2025-06", "2025-12"]
CASE_KEYS = [*CASE_MONTHS, "2024-11", "2026-01", "2024/murni", "2025/murni",
             "2025/perubahan", "2026/pergeseran", "2025", "all"]


def test_sql_functions_are_the_python_rule(conn: psycopg.Connection) -> None:
    cases = [(s, k, m) for s in catalog.SOURCES for k in CASE_KEYS for m in CASE_MONTHS]
    got = {(s.name, k, m): conn.execute(
        "SELECT audit.delivery_covers(%s, %s, %s), audit.delivery_up_to(%s, %s, %s)",
        (s.period, k, m) * 2).fetchone() for s, k, m in cases}
    want = {(s.name, k, m): (s.covers(k, m), s.up_to(k, m)) for s, k, m in cases}
    assert got == want
    # the table reaches every outcome of both rules
    assert {v for pair in want.values() for v in pair} == {True, False}
    assert len({s.period for s, _, _ in cases}) == 3

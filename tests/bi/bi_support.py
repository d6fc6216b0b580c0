"""Shared by the BI tests and bench/bench_bi.py: start the project's Superset with
`monev bi up`, and the SQL each chart of the spec must equal (built from the spec itself,
run on the warehouse as the user's own login)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from monev.bi.spec import Chart
from monev.config import PROJECT_ROOT

MONEV = str(Path(sys.executable).parent / "monev")


def monev(*args: str, env: dict[str, str] | None = None, timeout: float = 600
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MONEV, *args], env={**os.environ, **(env or {})}, text=True,
                          capture_output=True, timeout=timeout, cwd=PROJECT_ROOT, check=False)


def expected_sql(c: Chart, bulan: str | None = None) -> str:
    """What the chart shows, written from the spec as plain SQL on the mart, for the
    month `bulan` ('YYYY-MM'; default the latest)."""
    month = f"DATE '{bulan}-01'" if bulan else None
    where = " AND ".join(f"({w})" for w in c.conditions(month)) or "true"
    metrics = [f'{m.sql} AS "{m.label}"' for m in c.metrics]
    if c.viz == "echarts_timeseries_line":
        cols = ["periode", *c.columns]
        return (f"SELECT {', '.join([*cols, *metrics])} FROM marts.{c.table} WHERE {where} "
                f"GROUP BY {', '.join(cols)}")
    if c.viz == "big_number_total":
        return f"SELECT {', '.join(metrics)} FROM marts.{c.table} WHERE {where}"
    labels = {m.label: m.sql for m in c.metrics} | c.computed
    order = ", ".join(f"{labels.get(col, col)} {'ASC' if asc else 'DESC'}"
                      for col, asc in c.order)
    columns = [f'{c.computed[n]} AS "{n}"' if n in c.computed else n for n in c.columns]
    group = (f" GROUP BY {', '.join(str(i + 1) for i in range(len(columns)))}"
             if c.metrics else "")
    return (f"SELECT {', '.join([*columns, *metrics])} FROM marts.{c.table} WHERE {where}"
            f"{group}{' ORDER BY ' + order if order else ''}")


def as_login(url: str, login: str, password: str) -> psycopg.Connection:
    u = make_url(url).set(username=login, password=password)
    u = u.set(query={k: v for k, v in u.query.items() if k != "passfile"})
    return psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)


def _cell(v: Any) -> Any:
    """One cell as the chart-data API's JSON carries it: numbers as floats, dates and
    timestamps as epoch milliseconds."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, Decimal | int | float):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=v.tzinfo or dt.UTC).timestamp() * 1000
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day, tzinfo=dt.UTC).timestamp() * 1000
    return v


def rows_of_sql(conn: psycopg.Connection, c: Chart, bulan: str | None = None
                ) -> list[tuple[Any, ...]]:
    rows = [tuple(_cell(v) for v in r)
            for r in conn.execute(expected_sql(c, bulan)).fetchall()]
    return sorted(rows, key=repr) if c.viz == "echarts_timeseries_line" else rows


def rows_of_api(c: Chart, payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    (result,) = payload["result"]
    names = [*(["periode"] if c.viz == "echarts_timeseries_line" else []), *c.columns,
             *[m.label for m in c.metrics]]
    rows = [tuple(_api_cell(r[n]) for n in names) for r in result["data"]]
    return sorted(rows, key=repr) if c.viz == "echarts_timeseries_line" else rows


def _api_cell(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str) and len(v) >= 10 and v[4] == "-" and v[7] == "-":
        try:
            return _cell(dt.datetime.fromisoformat(v))
        except ValueError:
            return v
    return v

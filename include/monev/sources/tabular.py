"""Typing of small tabular extracts (CSV recaps, SIPD sheets, reference files) row by
row against a column spec. These files hold at most ~100k rows, so plain Python is
fast enough; the big participant list has its own vectorised parser."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from monev.sources import common
from monev.sources.common import CopyBuffer, Failures, ValueProblem

Cell = object  # str from CSV; str/int/float/datetime/None from openpyxl


@dataclass(frozen=True)
class Column:
    name: str
    kind: Callable[[Cell], object]  # types a non-empty delivered value or raises ValueProblem
    required: bool = True


def _text(v: Cell) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def text(v: Cell) -> str:
    return _text(v)


def integer(v: Cell) -> int:
    if isinstance(v, bool):
        raise ValueProblem("number_format", "not an integer")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v.is_integer():
            return int(v)
        raise ValueProblem("number_format", "not an integer")
    return common.integer(str(v))


def number(v: Cell) -> Decimal:
    if isinstance(v, bool):
        raise ValueProblem("number_format", "not a number")
    if isinstance(v, int | float):
        return Decimal(str(v))
    return common.indonesian_number(str(v))


def percent(v: Cell) -> Decimal:
    if isinstance(v, bool):
        raise ValueProblem("number_format", "not a number")
    if isinstance(v, int | float):
        return Decimal(str(v))
    return common.percent(str(v))


def a_date(v: Cell) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return common.iso_date(str(v))


def month(v: Cell) -> date:
    return common.year_month(str(v))


def one_of(*allowed: str, upper: bool = True) -> Callable[[Cell], str]:
    values = frozenset(allowed)
    return lambda v: common.enum(_text(v), values, upper=upper)


def region(*, province_ok: bool = False, nation_ok: bool = False) -> Callable[[Cell], str]:
    return lambda v: common.region_code(_text(v), province_ok=province_ok, nation_ok=nation_ok)


def _empty(v: Cell) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def type_rows(
    rows: Iterable[tuple[int, Sequence[Cell]]], positions: dict[str, int],
    columns: Sequence[Column], failures: Failures, batch_id: int, counter: list[int],
) -> Iterator[str]:
    """Type each (row number, cells) into COPY CSV: the columns in spec order, then
    batch_id and source_row. Rows with a failure are reported and left out."""
    out = CopyBuffer()
    specs = [(c, positions[c.name]) for c in columns]
    for row_no, cells in rows:
        typed: list[object] = []
        ok = True
        for col, pos in specs:
            raw = cells[pos] if pos < len(cells) else None
            if _empty(raw):
                if col.required:
                    failures.add("required", col.name, "empty value in a required column",
                                 rows=[row_no])
                    ok = False
                typed.append(None)
                continue
            try:
                typed.append(col.kind(raw))
            except ValueProblem as p:
                failures.add(p.rule, col.name, p.what, rows=[row_no], value=_text(raw)[:40])
                ok = False
        if not ok:
            continue
        typed.append(batch_id)
        typed.append(row_no)
        counter[0] += 1
        chunk = out.add(typed)
        if chunk:
            yield chunk
    chunk = out.flush()
    if chunk:
        yield chunk

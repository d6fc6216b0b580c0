"""Typing of small tabular extracts (CSV recaps, SIPD sheets, reference files) row by
row against a column spec. These files hold at most ~100k rows, so plain Python is
fast enough; the big participant list has its own vectorised parser."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from monev.sources import values
from monev.sources.copybuffer import CopyBuffer
from monev.sources.failures import Failures
from monev.sources.values import ValueProblem

Cell = object  # str from CSV; str/int/float/datetime/None from openpyxl


@dataclass(frozen=True)
class Column:
    name: str
    kind: Callable[[Cell], object]  # types a non-empty delivered value or raises ValueProblem
    required: bool = True  # a value must be given in every row
    # The contract lets the sender leave the whole column out; rows then get `default`.
    may_be_absent: bool = False
    default: object = None


def _text(v: Cell) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def text(v: Cell) -> str:
    return _text(v)


def integer(v: Cell) -> int:
    """A count or an amount in whole rupiah (bigint)."""
    if isinstance(v, bool):
        raise ValueProblem("number_format", "not an integer")
    if isinstance(v, int):
        return values.in_range(v)
    if isinstance(v, float):
        if v.is_integer():
            return values.in_range(int(v))
        raise ValueProblem("number_format", "not an integer")
    return values.integer(str(v))


def int4(v: Cell) -> int:
    """A year or a month (PostgreSQL integer)."""
    return values.in_range(integer(v), values.INT_MAX)


def _decimal(v: Cell, from_text: Callable[[str], Decimal], limit: Decimal) -> Decimal:
    if isinstance(v, bool):
        raise ValueProblem("number_format", "not a number")
    d = Decimal(str(v)) if isinstance(v, int | float) else from_text(str(v))
    if not d.is_finite():
        raise ValueProblem("number_format", "not a number")
    if abs(d) >= limit:
        raise ValueProblem("out_of_range", "number out of range")
    return d


def number(v: Cell) -> Decimal:
    """Rupiah with up to two decimals (numeric(18,2))."""
    return _decimal(v, values.indonesian_number, values.MONEY_LIMIT)


def percent(v: Cell) -> Decimal:
    """A percentage (numeric(7,3))."""
    return _decimal(v, values.percent, Decimal(10_000))


def a_date(v: Cell) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return values.iso_date(str(v))


def month(v: Cell) -> date:
    return values.year_month(str(v))


def one_of(*allowed: str, upper: bool = True) -> Callable[[Cell], str]:
    codes = frozenset(allowed)

    def code(v: Cell) -> str:
        return values.enum(_text(v), codes, upper=upper)
    return code


def region(*, province_ok: bool = False, nation_ok: bool = False) -> Callable[[Cell], str]:
    def region_code(v: Cell) -> str:
        return values.region_code(_text(v), province_ok=province_ok, nation_ok=nation_ok)
    region_code.__doc__ = ("PP.KK" + (" or PP" if province_ok else "")
                           + (" or 00 (nation)" if nation_ok else "") + ", dot optional")
    return region_code


# How each kind of value reads in the contract document (docs/EXTRACTS.md).
_KINDS = {"text": "text", "integer": "integer", "int4": "integer", "number": "number "
          "(rupiah; `1.234.567,00` text accepted)", "percent": "percent (`52.15` or `52,15`)",
          "a_date": "date `YYYY-MM-DD`", "month": "month `YYYY-MM`", "code": "code (see list)"}


# The raw table's type of each kind of value (what `kind` returns, as PostgreSQL stores it).
_SQL_TYPES = {"text": "text", "integer": "bigint", "int4": "integer", "number": "numeric(18,2)",
              "percent": "numeric(7,3)", "a_date": "date", "month": "date", "code": "text",
              "region_code": "text"}


def spec_fields(fields: Sequence[Column]) -> dict[str, Any]:
    """The SourceSpec arguments a column spec determines: COPY columns (batch_id and
    source_row last), the delivered columns, which may be left out, their types, and
    the raw table's column definitions."""
    return {
        "columns": (*(c.name for c in fields), "batch_id", "source_row"),
        "delivered": tuple(c.name for c in fields),
        "optional": tuple(c.name for c in fields if c.may_be_absent),
        "types": describe(fields),
        "raw_types": tuple(
            (c.name, _SQL_TYPES[c.kind.__name__]
             + (" NOT NULL" if c.required or c.default is not None else ""))
            for c in fields),
    }


def describe(fields: Iterable[Column]) -> dict[str, str]:
    """Column → how its values must look, for the generated contract document."""
    out = {}
    for c in fields:
        kind = c.kind.__doc__ if c.kind.__name__ == "region_code" else _KINDS[c.kind.__name__]
        out[c.name] = kind + ("" if c.required else ", may be empty")
    return out


def _empty(v: Cell) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def type_rows(
    rows: Iterable[tuple[int, Sequence[Cell]]], positions: dict[str, int],
    columns: Sequence[Column], failures: Failures, batch_id: int, counter: list[int],
) -> Iterator[str]:
    """Type each (row number, cells) into COPY CSV: the columns in spec order, then
    batch_id and source_row. Rows with a failure are reported and left out."""
    out = CopyBuffer()
    specs = [(c, positions.get(c.name)) for c in columns]
    for row_no, cells in rows:
        typed: list[object] = []
        ok = True
        for col, pos in specs:
            if pos is None:  # a column the sender may leave out, and did
                typed.append(col.default)
                continue
            raw = cells[pos] if pos < len(cells) else None
            if isinstance(raw, str) and "\x00" in raw:
                # PostgreSQL text cannot hold NUL; the byte is not part of any valid value.
                failures.add("nul_byte", col.name, "NUL byte in the value", rows=[row_no])
                ok = False
                typed.append(None)
                continue
            if _empty(raw):
                if col.required:
                    failures.add("required", col.name, "empty value in a required column",
                                 rows=[row_no])
                    ok = False
                typed.append(col.default)
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

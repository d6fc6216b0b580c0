"""Indonesian number and date formatting through Babel (locale id_ID).

A missing value (NULL in the marts) is shown as an en dash, never as zero: a reader
must be able to tell "nothing happened" from "we do not know".
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "id_ID"
MISSING = "–"
NOT_AVAILABLE = "tidak tersedia"


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | Decimal) and math.isnan(value)


def pct(value: Any, digits: int = 2) -> str:
    """A value already in percent (42.5612 -> '42,56%')."""
    if is_missing(value):
        return MISSING
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return format_percent(Decimal(str(value)) / 100, pattern, locale=LOCALE)


def pp(value: Any) -> str:
    """Percentage points, with sign (gap and changes)."""
    if is_missing(value):
        return MISSING
    return format_decimal(Decimal(str(value)), "+#,##0.00;-#,##0.00", locale=LOCALE) + " pp"


def num(value: Any) -> str:
    if is_missing(value):
        return MISSING
    return format_decimal(round(float(value)), "#,##0", locale=LOCALE)


def rupiah(value: Any) -> str:
    if is_missing(value):
        return MISSING
    return format_currency(
        Decimal(str(value)).quantize(Decimal(1)), "IDR", "¤#,##0", locale=LOCALE,
        currency_digits=False,
    )


def month_name(periode: dt.date) -> str:
    return format_date(periode, "MMMM y", locale=LOCALE)


def month_short(periode: dt.date) -> str:
    return format_date(periode, "MMM yy", locale=LOCALE)


def long_date(day: dt.date) -> str:
    return format_date(day, "d MMMM y", locale=LOCALE)


def yes_no(value: Any) -> str:
    if is_missing(value):
        return MISSING
    return "Ada" if value else "Belum ada"

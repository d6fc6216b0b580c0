"""Typing one delivered value: region codes, integers within the warehouse's columns,
Indonesian-formatted numbers, percentages, dates and months, code-list values. A value
that cannot be typed raises ValueProblem naming the rule; the parser records it.

Parsers type what was delivered and report what cannot be typed; semantic rules
(unique keys, period equals the file name, region exists, ...) belong to the gate.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from monev import periods


class ValueProblem(ValueError):
    """A delivered value cannot be typed; `rule` is the suffix of the rule id."""

    def __init__(self, rule: str, what: str):
        super().__init__(what)
        self.rule = rule
        self.what = what


_REGION = re.compile(r"^([0-9]{2})\.?([0-9]{2})$")
_PROVINCE = re.compile(r"^[0-9]{2}$")


def region_code(raw: str, *, province_ok: bool = False, nation_ok: bool = False) -> str:
    """Canonical Kemendagri code: `PP.KK` (dot added when the sender dropped it), or
    `PP` where a province is allowed. Checks the form only; existence is the gate's."""
    v = raw.strip()
    m = _REGION.match(v)
    if m:
        return f"{m.group(1)}.{m.group(2)}"
    if _PROVINCE.match(v) and (nation_ok if v == "00" else province_ok):
        return v
    raise ValueProblem("region_code", "malformed region code")


# Bounds of the warehouse's integer columns (bigint for counts and money, integer for
# years and months): a value outside is the sender's error, cited with its row.
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
# numeric(18,2) money columns hold below 10^16 rupiah.
MONEY_LIMIT = Decimal(10) ** 16


def in_range(v: int, limit: int = BIGINT_MAX) -> int:
    if not -limit <= v <= limit:
        raise ValueProblem("out_of_range", "number out of range")
    return v


def integer(raw: str) -> int:
    v = raw.strip()
    if len(v) > 30:  # also keeps int() away from pathological digit strings
        raise ValueProblem("out_of_range", "number out of range")
    try:
        return in_range(int(v))
    except ValueError:
        pass
    # Indonesian text numbers: '.' thousands, ',' decimals ('1.234.567' or '12,00').
    try:
        d = indonesian_number(v)
    except ValueProblem:
        raise ValueProblem("number_format", "not an integer") from None
    if d != d.to_integral_value():
        raise ValueProblem("number_format", "not an integer")
    return in_range(int(d))


_ID_NUMBER = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3})*(,[0-9]+)?$|^-?[0-9]+(,[0-9]+)?$")


def indonesian_number(raw: str) -> Decimal:
    """`1.234.567,00` → Decimal('1234567.00'); plain `1234567.5` is accepted too
    (a numeric value rendered by the exporter, one dot followed by not-3 digits)."""
    v = raw.strip().replace("\u00a0", "").replace(" ", "")
    if len(v) > 40:
        raise ValueProblem("out_of_range", "number out of range")
    if v.lower().startswith("rp"):
        v = v[2:]
    if _ID_NUMBER.match(v):
        return Decimal(v.replace(".", "").replace(",", "."))
    try:
        if re.match(r"^-?[0-9]+(\.[0-9]+)?$", v):
            return Decimal(v)
    except InvalidOperation:
        pass
    raise ValueProblem("number_format", "not a number (expected 1.234.567,00)")


_PERCENT = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")


def percent(raw: str) -> Decimal:
    """A percentage such as `52.15` or `52,15`. Unlike money it never carries thousands
    separators, so a single dot is the decimal point (`52.150` is 52.15, not 52150)."""
    v = raw.strip().rstrip("%").strip()
    if not _PERCENT.match(v):
        raise ValueProblem("number_format", "not a percentage (expected 52.15)")
    return Decimal(v.replace(",", "."))


def iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueProblem("date_format", "not a date YYYY-MM-DD") from None


def year_month(raw: str) -> date:
    v = raw.strip()
    if periods.is_month(v):
        return periods.start(v)
    raise ValueProblem("date_format", "not a month YYYY-MM")


def enum(raw: str, allowed: frozenset[str], *, upper: bool = True) -> str:
    v = raw.strip()
    v = v.upper() if upper else v.lower()
    if v not in allowed:
        raise ValueProblem("enum", f"not one of {'|'.join(sorted(allowed))}")
    return v

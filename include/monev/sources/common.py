"""Helpers every extract parser shares: failure bookkeeping, value typing, COPY output.

Parsers type what was delivered and report what cannot be typed; semantic rules
(unique keys, period equals the file name, region exists, …) belong to the gate.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from monev import periods
from monev.records import MAX_ROWS_CITED, RuleFailure, printable

# How many distinct offending values (never personal ones) a failure cites.
MAX_VALUES_CITED = 5


class ValueProblem(ValueError):
    """A delivered value cannot be typed; `rule` is the suffix of the rule id."""

    def __init__(self, rule: str, what: str):
        super().__init__(what)
        self.rule = rule
        self.what = what


@dataclass
class _Tally:
    rule: str
    message: str
    rows: list[int] = field(default_factory=list)
    count: int = 0
    values: list[str] = field(default_factory=list)


class Failures:
    """Collects rule failures of one file, grouped by rule and column, rows capped."""

    def __init__(self, source: str, file_name: str):
        self.source = source
        self.file_name = file_name
        self._tallies: dict[tuple[str, str], _Tally] = {}

    def add(
        self, rule: str, column: str | None, what: str, rows: Iterable[int] = (),
        count: int | None = None, value: str | None = None,
    ) -> None:
        rule_id = f"{self.source}.{rule}"
        key = (rule_id, column or "")
        tally = self._tallies.get(key)
        if tally is None:
            where = f"column {column}: " if column else ""
            msg = f"{self.file_name}: {where}{what} (rule {rule_id})"
            tally = self._tallies[key] = _Tally(rule_id, msg)
        rows = list(rows)
        room = MAX_ROWS_CITED - len(tally.rows)
        if room > 0:
            tally.rows.extend(rows[:room])
        tally.count += count if count is not None else max(len(rows), 1)
        if value is not None:
            value = printable(value)
            if len(tally.values) < MAX_VALUES_CITED and value not in tally.values:
                tally.values.append(value)

    def __bool__(self) -> bool:
        return bool(self._tallies)

    def as_list(self) -> list[RuleFailure]:
        out = []
        for t in self._tallies.values():
            msg = t.message
            if t.rows:
                shown = ", ".join(map(str, t.rows[:10]))
                more = f" and {t.count - 10} more" if t.count > 10 else ""
                msg += f"; data rows {shown}{more}"
            out.append(
                RuleFailure(
                    rule=t.rule, severity="error", message=msg, rows=t.rows,
                    row_count=t.count, observed=t.values or None,
                )
            )
        return out


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


# A header cell is quoted in a message only if it looks like a column name: a file
# delivered without its header has data in that row, and data is never repeated.
_COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_ ]{0,39}$")


def check_columns(
    failures: Failures, header: Sequence[str], expected: Sequence[str],
    optional: Sequence[str] = (), *, personal: bool = False,
) -> dict[str, int] | None:
    """Map column → position (optional columns only when present), or record
    `<source>.columns` and return None. Unexpected header cells are named only when
    they look like column names, and never in a file of personal data."""
    names = [h.strip().lower() for h in header]
    allowed = [*expected, *optional]
    missing = [c for c in expected if c not in names]
    extra_at = [i + 1 for i, n in enumerate(names) if n not in allowed]
    dupes = sorted({n for n in names if n in allowed and names.count(n) > 1})
    if missing or extra_at or dupes:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra_at:
            cells = [names[i - 1] for i in extra_at]
            if personal or not all(_COLUMN_NAME.match(c) for c in cells):
                parts.append(f"{len(extra_at)} unexpected header cell(s) at position(s) "
                             + ", ".join(map(str, extra_at[:20]))
                             + " (not quoted: the first row may be data)")
            else:
                parts.append("unexpected " + ", ".join(cells))
        if dupes:
            parts.append("repeated " + ", ".join(dupes))
        failures.add("columns", None, "column set differs from the contract (header row): "
                     + "; ".join(parts), count=1)
        return None
    return {c: names.index(c) for c in allowed if c in names}


class CopyBuffer:
    """Rows rendered as CSV for `COPY … (FORMAT csv)`, handed out in chunks so the
    server ingests while Python parses."""

    def __init__(self, chunk_bytes: int = 1 << 20):
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\n")
        self._chunk = chunk_bytes

    def add(self, row: Sequence[object]) -> str | None:
        self._writer.writerow(["" if v is None else v for v in row])
        if self._buf.tell() >= self._chunk:
            return self.flush()
        return None

    def flush(self) -> str | None:
        data = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return data or None

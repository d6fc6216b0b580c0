"""The failures of one delivered file: collected by rule and column, rows and values
capped (never a personal value), and the header check every parser starts with."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from monev.records import MAX_ROWS_CITED, RuleFailure, printable

# How many distinct offending values (never personal ones) a failure cites.
MAX_VALUES_CITED = 5


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

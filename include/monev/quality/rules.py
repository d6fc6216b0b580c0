"""Building blocks for the suites in `expectations/`: rules expressed as SQL, turned
into GX `UnexpectedRowsExpectation`s.

Every check's query returns one row per *broken* rule — (rule, row_count, rows_cited,
observed) — so a check can cover several rules in a single scan of the staging table
(the gate must stay within 2× the COPY time of a 10-million-row file), while each rule
still gets its own stable id, count and cited rows. A check returning no rows passed.
Queries only ever select row numbers, codes and aggregates: never NIK, names or dates
of birth (those never reach the warehouse anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import great_expectations as gx
from great_expectations.expectations.metadata_types import FailureSeverity

from monev.ingest.batch import MAX_ROWS_CITED, Severity

_GX_SEVERITY: dict[str, FailureSeverity] = {
    "error": FailureSeverity.CRITICAL,
    "warning": FailureSeverity.WARNING,
}


def severity_of(gx_severity: FailureSeverity | str | None) -> Severity:
    """GX's own severity → ours: only `critical` rejects a batch."""
    value = FailureSeverity(gx_severity or FailureSeverity.CRITICAL)
    return "error" if value == FailureSeverity.CRITICAL else "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    sql: str  # row-level: a boolean condition on alias `b`; query-level: a SELECT


@dataclass(frozen=True)
class Check:
    """One GX expectation covering one or more rules of the same severity."""

    name: str
    severity: Severity
    rules: tuple[Rule, ...]
    query: str

    def expectation(self) -> gx.expectations.UnexpectedRowsExpectation:
        return gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=self.query,
            severity=_GX_SEVERITY[self.severity],
            description=f"{self.name}: " + "; ".join(r.description for r in self.rules),
            meta={
                "check": self.name,
                "rules": {r.id: r.description for r in self.rules},
            },
        )


def lit(value: str | int | date | None) -> str:
    """A SQL literal for values taken from the file name (already pattern-checked)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _no_braces(sql: str) -> str:
    # GX substitutes `{batch}` with str.format: any other brace must be doubled.
    return re.sub(r"\{(?!batch\})", "{{", re.sub(r"(?<!\{batch)\}", "}}", sql))


def row_check(name: str, severity: Severity, rules: list[Rule], joins: str = "") -> Check:
    """Rules that are conditions on single rows of the batch (`b`), all in one scan.

    `joins` may LEFT JOIN lookups (aliases other than `b`, `x`) the conditions use.
    """
    values = ",\n        ".join(f"({lit(r.id)}, ({r.sql}))" for r in rules)
    query = f"""
SELECT x.rule, count(*) AS row_count,
       (array_agg(b.source_row ORDER BY b.source_row))[1:{MAX_ROWS_CITED}] AS rows_cited,
       NULL::jsonb AS observed
FROM {{batch}} AS b
{_no_braces(joins)}
CROSS JOIN LATERAL (VALUES
        {_no_braces(values)}
    ) AS x(rule, bad)
WHERE x.bad IS TRUE
GROUP BY x.rule"""
    return Check(name, severity, tuple(rules), query)


# GX inlines {batch} as a subquery: aliased by GX itself when the query has no JOIN,
# unaliased when it has one — so queries with a JOIN must alias {batch}, others must not.


def query_check(severity: Severity, rule: Rule, with_: str = "") -> Check:
    """A rule written as a SELECT returning (source_row, detail) per offending row or
    region; `source_row` NULL when the offence has no row in the file (a missing region),
    `detail` a small JSON object of codes/figures used as the observed value."""
    query = f"""
{_no_braces(with_)}
SELECT {lit(rule.id)} AS rule, count(*) AS row_count,
       (array_agg(q.source_row ORDER BY q.source_row)
            FILTER (WHERE q.source_row IS NOT NULL))[1:{MAX_ROWS_CITED}] AS rows_cited,
       to_jsonb((array_agg(q.detail ORDER BY q.source_row)
            FILTER (WHERE q.detail IS NOT NULL))[1:20]) AS observed
FROM ({_no_braces(rule.sql)}) AS q
HAVING count(*) > 0"""
    return Check(rule.id, severity, (rule,), query)


def unique_check(source: str, keys: list[str]) -> Check:
    """Duplicate grain keys: cites every row of each duplicated key (NULL-safe)."""
    key_list = ", ".join(keys)
    rule = Rule(
        f"{source}.unique_grain",
        f"one row per ({key_list})",
        f"""SELECT unnest(d.rows_) AS source_row, NULL::jsonb AS detail
            FROM (SELECT array_agg(source_row) AS rows_ FROM {{batch}}
                  GROUP BY {key_list} HAVING count(*) > 1) AS d""",
    )
    return query_check("error", rule)


def enum_sql(column: str, values: list[str]) -> str:
    listed = ", ".join(lit(v) for v in values)
    return f"b.{column} IS NOT NULL AND b.{column} NOT IN ({listed})"


# A region code is valid for a period when it is in the current reference and no change
# retired it on or before that period, or when it is an old code still in force then
# (period before the change). `p` is the period column/expression, `c` the code.
REGION_JOIN = """
LEFT JOIN raw.wilayah AS w_{a} ON w_{a}.kode = {c}
LEFT JOIN (SELECT kode_lama, min(berlaku_mulai) AS berlaku_mulai
           FROM raw.wilayah_perubahan GROUP BY kode_lama) AS ol_{a} ON ol_{a}.kode_lama = {c}
LEFT JOIN (SELECT kode_baru, min(berlaku_mulai) AS berlaku_mulai
           FROM raw.wilayah_perubahan GROUP BY kode_baru) AS nw_{a} ON nw_{a}.kode_baru = {c}
"""


def region_join(alias: str, code: str) -> str:
    return REGION_JOIN.format(a=alias, c=code)


def region_invalid(alias: str, code: str, period: str, levels: str) -> str:
    """Condition: `code` is not a valid region of `levels` ('kabkota'|'any') at `period`."""
    tingkat = "" if levels == "any" else f" AND w_{alias}.tingkat IN ('KABUPATEN', 'KOTA')"
    return (
        f"{code} IS NOT NULL AND NOT ("
        f"(w_{alias}.kode IS NOT NULL{tingkat}"
        f" AND (ol_{alias}.kode_lama IS NULL OR {period} < ol_{alias}.berlaku_mulai))"
        f" OR (ol_{alias}.kode_lama IS NOT NULL AND {period} < ol_{alias}.berlaku_mulai))"
    )


def region_premature(alias: str, code: str, period: str) -> str:
    """Condition: a new code used for a period before the change that created it."""
    return f"nw_{alias}.kode_baru IS NOT NULL AND {period} < nw_{alias}.berlaku_mulai"

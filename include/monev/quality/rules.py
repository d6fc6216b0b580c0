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
from typing import Any, ClassVar

import great_expectations as gx
from great_expectations.compatibility import pydantic
from great_expectations.expectations.metadata_types import FailureSeverity

from monev.records import MAX_ROWS_CITED, Severity

_GX_SEVERITY: dict[str, FailureSeverity] = {
    "error": FailureSeverity.CRITICAL,
    "warning": FailureSeverity.WARNING,
}


def severity_of(gx_severity: FailureSeverity | str | None) -> Severity:
    """GX's own severity → ours: only `critical` rejects a batch."""
    value = FailureSeverity(gx_severity or FailureSeverity.CRITICAL)
    return "error" if value == FailureSeverity.CRITICAL else "warning"


class MonevRuleCheck(gx.expectations.UnexpectedRowsExpectation):
    """UnexpectedRowsExpectation that runs its query once.

    The stock expectation also runs `SELECT COUNT(*) FROM (query)`, i.e. every rule
    query twice — on a 10-million-row batch that doubles the gate. Our queries return
    one row per broken rule, so the row count is simply the length of the result.
    """

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.table",)

    @pydantic.validator("unexpected_rows_query")
    def _validate_query(cls, query: Any) -> Any:
        # GX's own check prints a hint to stdout when a query does not read `{batch}`; a
        # profile check reads the batch's profile by name, on purpose. Our queries are
        # built by this module, braces paired by _no_braces.
        return query.rstrip("; \t\r\n\v\f") if isinstance(query, str) else query

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict:
        rows = metrics["unexpected_rows_query.table"]
        return {
            "success": not rows,
            "result": {"observed_value": len(rows), "details": {"unexpected_rows": rows}},
        }


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

    def expectation(self) -> MonevRuleCheck:
        return MonevRuleCheck(
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


def row_check(name: str, severity: Severity, rules: list[Rule]) -> Check:
    """Rules that are conditions on single rows of the batch (`b`), all in one scan.

    The scan keeps only rows breaking at least one rule (conditions evaluated once per
    clean row, short-circuited); only those few rows are labelled and aggregated per rule.
    """
    where = "\n   OR ".join(f"({r.sql}) IS TRUE" for r in rules)
    labels = ",\n              ".join(
        f"CASE WHEN ({r.sql}) IS TRUE THEN {lit(r.id)} END" for r in rules
    )
    query = f"""
SELECT x.rule, count(*) AS row_count,
       (array_agg(f.source_row ORDER BY f.source_row))[1:{MAX_ROWS_CITED}] AS rows_cited,
       NULL::jsonb AS observed
FROM (SELECT b.source_row, ARRAY[{_no_braces(labels)}] AS rules
      FROM {{batch}} AS b
      WHERE {_no_braces(where)}) AS f
CROSS JOIN LATERAL unnest(f.rules) AS x(rule)
WHERE x.rule IS NOT NULL
GROUP BY x.rule"""
    return Check(name, severity, tuple(rules), query)


def profile_check(name: str, severity: Severity, rules: list[Rule], profile: str) -> Check:
    """The rules of a `row_check`, on the batch's profile instead of its rows: each group
    (`n` rows alike in every column the rules read, `rows_` its first source rows per
    block) breaks a rule with all its rows, so counts and the first rows cited are the
    same as a scan of the batch would give."""
    where = "\n   OR ".join(f"({r.sql}) IS TRUE" for r in rules)
    labels = ",\n              ".join(
        f"CASE WHEN ({r.sql}) IS TRUE THEN {lit(r.id)} END" for r in rules
    )
    query = f"""
WITH broken AS (
    SELECT x.rule, f.n, f.rows_
    FROM (SELECT b.n, b.rows_, ARRAY[{_no_braces(labels)}] AS rules
          FROM {profile} AS b
          WHERE {_no_braces(where)}) AS f
    CROSS JOIN LATERAL unnest(f.rules) AS x(rule)
    WHERE x.rule IS NOT NULL)
SELECT c.rule, c.row_count, d.rows_cited, NULL::jsonb AS observed
FROM (SELECT rule, sum(n)::bigint AS row_count FROM broken GROUP BY rule) AS c
JOIN (SELECT k.rule, (array_agg(v ORDER BY v))[1:{MAX_ROWS_CITED}] AS rows_cited
      FROM broken AS k CROSS JOIN LATERAL unnest(k.rows_) AS v GROUP BY k.rule) AS d
  ON d.rule = c.rule"""
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


# Past this many candidate rows (a file full of duplicates) group the whole batch.
_MAX_CANDIDATES = 100_000


def unique_check(source: str, keys: list[str],
                 candidates: tuple[int, ...] | None = None) -> Check:
    """Duplicate grain keys: cites every row of each duplicated key (NULL-safe).
    `candidates`: the only source rows that can be duplicates (a profiled batch)."""
    key_list = ", ".join(keys)
    where = ""
    if candidates is not None and len(candidates) <= _MAX_CANDIDATES:
        where = ("WHERE false" if not candidates else
                 f"WHERE source_row = ANY('{{{','.join(map(str, candidates))}}}'::int[])")
    rule = Rule(
        f"{source}.unique_grain",
        f"one row per ({key_list})",
        f"""SELECT unnest(d.rows_) AS source_row, NULL::jsonb AS detail
            FROM (SELECT array_agg(source_row) AS rows_ FROM {{batch}} {where}
                  GROUP BY {key_list} HAVING count(*) > 1) AS d""",
    )
    return query_check("error", rule)


def enum_sql(column: str, values: list[str]) -> str:
    listed = ", ".join(lit(v) for v in values)
    return f"b.{column} IS NOT NULL AND b.{column} NOT IN ({listed})"


# A region code is valid for a period when it is in the current reference and no change
# retired it on or before that period, or when it is an old code still in force then
# (period before the change). The period is the file's (rows with another period are
# rejected by their own rule), so the valid set is computed once and probed by hash.
def valid_regions(period: str, levels: str) -> str:
    tingkat = "" if levels == "any" else " AND w.tingkat IN ('KABUPATEN', 'KOTA')"
    return f"""SELECT w.kode FROM raw.wilayah AS w
        WHERE NOT EXISTS (SELECT 1 FROM raw.wilayah_perubahan AS c
                          WHERE c.kode_lama = w.kode AND c.berlaku_mulai <= {period}){tingkat}
        UNION
        SELECT c.kode_lama FROM raw.wilayah_perubahan AS c WHERE c.berlaku_mulai > {period}"""


def region_invalid(code: str, period: str, levels: str) -> str:
    """Condition: `code` is not a valid region of `levels` ('kabkota'|'any') at `period`."""
    return f"{code} IS NOT NULL AND {code} NOT IN ({valid_regions(period, levels)})"


def region_premature(code: str, period: str) -> str:
    """Condition: a new code used for a period before the change that created it."""
    return (f"{code} IN (SELECT c.kode_baru FROM raw.wilayah_perubahan AS c"
            f" WHERE c.berlaku_mulai > {period})")

"""The records passed between the ingest steps and the quality gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Severity = Literal["error", "warning"]

# Every status a row of audit.load_batches can hold: the table's CHECK constraint and
# the dbt staging model's accepted_values are tested against this list.
BATCH_STATUSES = (
    "running",     # being loaded now (an interrupted one is marked failed on the next run)
    "loaded",      # published: the delivery in force for its period
    "superseded",  # was in force, replaced by a higher revision
    "stale",       # a lower revision that arrived after a higher one: never published
    "duplicate",   # the same bytes as the delivery in force for the period: nothing to do
    "rejected",    # broke a rule of the contract or the gate; the file is kept
    "failed",      # could not be processed (an error, or interrupted); the file is kept
    "validated",   # a dry run passed the gate; nothing published
)


# The advisory lock of dbt builds: a build holds it exclusively (transform.runner), a
# publish takes it shared inside its transaction (ingest.publish), so no batch is ever
# published while a build reads raw — per-month models record the batch they built
# each month from, and a publish in the middle of a build would be recorded as built.
DBT_BUILD_LOCK = "monev:dbt_build"


def printable(text: str) -> str:
    """Text safe for messages, logs and jsonb: control characters (NUL cannot even be
    stored in PostgreSQL text) shown as '?'."""
    return "".join(c if c >= " " or c in "\t\n" else "?" for c in text)

# Failing row numbers kept per rule; the total count is always recorded alongside.
MAX_ROWS_CITED = 100


@dataclass(frozen=True)
class StagedBatch:
    """A parsed file sitting in its own staging table, not yet published."""

    batch_id: int
    source: str  # a monev.catalog source name
    period_key: str  # '2024-03'; anggaran '2024/murni'; reference files 'all'
    file_name: str
    stage_table: str  # schema-qualified, same columns as raw.<source>, e.g. stage.kepesertaan__b42
    rows: int
    periode: date | None = None  # monthly sources: first day of the month in the file name
    tahun: int | None = None
    bulan: int | None = None
    versi: str | None = None
    # A profiled source (sources/profile.py): its row groups, staged beside the batch,
    # and the rows whose grain hash repeats (the only rows that can be duplicates).
    profile_table: str | None = None
    grain_candidates: tuple[int, ...] = ()


@dataclass
class RuleFailure:
    """One broken rule: which, how bad, and where. Rows are data rows: the first row
    under the header is row 1, in every source; blank lines and an xlsx title block or
    TOTAL line are not counted. Never holds personal values."""

    rule: str  # stable id, e.g. 'kepesertaan.tk_aktif_le_tk_terdaftar'
    severity: Severity
    message: str
    rows: list[int] = field(default_factory=list)  # capped at MAX_ROWS_CITED
    row_count: int = 0
    observed: Any = None

    def as_json(self) -> dict[str, Any]:
        observed = self.observed
        if isinstance(observed, list):
            observed = [printable(v) if isinstance(v, str) else v for v in observed]
        elif isinstance(observed, str):
            observed = printable(observed)
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": printable(self.message),
            "rows": self.rows[:MAX_ROWS_CITED],
            "row_count": self.row_count,
            "observed": observed,
        }


@dataclass
class GateOutcome:
    errors: list[RuleFailure] = field(default_factory=list)
    warnings: list[RuleFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors

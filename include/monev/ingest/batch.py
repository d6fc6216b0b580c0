"""The records passed between the ingest steps and the quality gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Severity = Literal["error", "warning"]

# Failing row numbers kept per rule; the total count is always recorded alongside.
MAX_ROWS_CITED = 100


@dataclass(frozen=True)
class StagedBatch:
    """A parsed file sitting in its own staging table, not yet published."""

    batch_id: int
    source: str  # kepesertaan | peserta_rentan | anggaran | realisasi | a reference file name
    period_key: str  # '2024-03'; anggaran '2024/murni'; reference files 'all'
    file_name: str
    stage_table: str  # schema-qualified, same columns as raw.<source>, e.g. stage.kepesertaan__b42
    rows: int
    periode: date | None = None  # monthly sources: first day of the month in the file name
    tahun: int | None = None
    bulan: int | None = None
    versi: str | None = None


@dataclass
class RuleFailure:
    """One broken rule: which, how bad, and where (row numbers as the sender sees them:
    header = row 1 in a CSV, the worksheet row in an xlsx). Never holds personal values."""

    rule: str  # stable id, e.g. 'kepesertaan.tk_aktif_le_tk_terdaftar'
    severity: Severity
    message: str
    rows: list[int] = field(default_factory=list)  # capped at MAX_ROWS_CITED
    row_count: int = 0
    observed: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "rows": self.rows[:MAX_ROWS_CITED],
            "row_count": self.row_count,
            "observed": self.observed,
        }


@dataclass
class GateOutcome:
    errors: list[RuleFailure] = field(default_factory=list)
    warnings: list[RuleFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors

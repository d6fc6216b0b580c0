"""Suite for the toy source: its file's month, non-negative counts, one row per key."""

from __future__ import annotations

from monev.quality.rules import Check, Rule, lit, row_check, unique_check
from monev.records import StagedBatch
from monev.sources.registry import spec

VERSION = "1.0.0"
SPEC = spec("toy")


def checks(batch: StagedBatch) -> list[Check]:
    return [
        row_check("toy.row_errors", "error", [
            Rule("toy.periode_matches_file", "periode is the month in the file name",
                 f"b.periode IS DISTINCT FROM {lit(batch.periode)}"),
            Rule("toy.non_negative", "nilai is not negative", "b.nilai < 0"),
        ]),
        unique_check("toy", list(SPEC.grain)),
    ]

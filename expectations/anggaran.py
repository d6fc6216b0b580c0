"""Suite for `anggaran` (APBD budget lines, SIPD export), EXTRACTS.md §3."""

from __future__ import annotations

from datetime import date

from monev.quality.rules import (
    Check,
    Rule,
    enum_sql,
    lit,
    region_invalid,
    region_premature,
    row_check,
    unique_check,
)
from monev.records import StagedBatch
from monev.sources.anggaran import SPEC

VERSION = "1.0.0"
SOURCE = SPEC.name
GRAIN = list(SPEC.grain)
SASARAN = list(SPEC.code_lists["sasaran"])
# pagu_rp expected near target_peserta × cheapest monthly tariff × 12; see README.md.
PAGU_BAND = (0.5, 2.0)
TARIF_TAHUNAN = 16_800 * 12


def checks(batch: StagedBatch) -> list[Check]:
    period = lit(date(batch.tahun or 1, 1, 1))
    errors = [
        Rule(f"{SOURCE}.kode_pemda_valid", "kode_pemda is a province or kab/kota in the reference",
             region_invalid("b.kode_pemda", period, "any")),
        Rule(f"{SOURCE}.tahun_matches_file", "tahun equals the year in the file name",
             f"b.tahun IS DISTINCT FROM {lit(batch.tahun)}"),
        Rule(f"{SOURCE}.versi_matches_file", "versi equals the version in the file name",
             f"lower(b.versi) IS DISTINCT FROM {lit((batch.versi or '').lower())}"),
        Rule(f"{SOURCE}.non_negative", "target_peserta and pagu_rp are non-negative",
             "b.target_peserta < 0 OR b.pagu_rp < 0"),
        Rule(f"{SOURCE}.enum_values", "sasaran is a known target group",
             enum_sql("sasaran", SASARAN)),
    ]
    lo, hi = PAGU_BAND
    warnings = [
        Rule(f"{SOURCE}.pagu_vs_target",
             f"pagu_rp within {lo:.0%}–{hi:.0%} of target_peserta × Rp16.800 × 12",
             f"b.pagu_rp < {lo} * b.target_peserta * {TARIF_TAHUNAN}"
             f" OR b.pagu_rp > {hi} * b.target_peserta * {TARIF_TAHUNAN}"),
        Rule(f"{SOURCE}.region_code_before_change",
             "kode_pemda created by a code change later than the fiscal year",
             region_premature("b.kode_pemda", period)),
    ]
    return [
        row_check(f"{SOURCE}.row_errors", "error", errors),
        unique_check(SOURCE, GRAIN),
        row_check(f"{SOURCE}.row_warnings", "warning", warnings),
    ]

"""Suites for the secretariat's reference files (EXTRACTS.md §5): small, structural.

`raw.wilayah` itself is the yardstick for every region rule and has no suite here
(its seed is versioned with the project and constrained by its table definition).
"""

from __future__ import annotations

from monev.quality.rules import Check, Rule, enum_sql, row_check, unique_check
from monev.records import StagedBatch
from monev.sources.registry import spec

VERSION = "1.1.0"

_CODE = "'^([0-9]{2}|[0-9]{2}[.][0-9]{2})$'"
_KNOWN = (
    "NOT EXISTS (SELECT 1 FROM raw.wilayah AS w WHERE w.kode = b.{c}) AND b.{c} <> '00'"
    " AND NOT EXISTS (SELECT 1 FROM raw.wilayah_perubahan AS p"
    " WHERE p.kode_lama = b.{c}{still_valid})"
)


# A denominator row marked BPS is checked under the Kemendagri code it translates to
# (wilayah_bps; a BPS code absent from the bridge is the same in both schemes).
_KEMENDAGRI = ("(CASE WHEN b.skema_kode = 'BPS' THEN coalesce((SELECT x.kode_kemendagri"
               " FROM raw.wilayah_bps AS x WHERE x.kode_bps = b.kode_wilayah LIMIT 1),"
               " b.kode_wilayah) ELSE b.kode_wilayah END)")


def _known(source: str, column: str, *, year: str | None = None, bps: bool = False) -> Rule:
    # Figures for years before a code change arrive under the old code (the 2022 Papua
    # split); dbt rolls them up to the new code. An old code is valid for a year that
    # began before the change; without a year column, any mapped old code is accepted.
    still_valid = f" AND make_date(b.{year}, 1, 1) < p.berlaku_mulai" if year else ""
    sql = _KNOWN.format(c=column, still_valid=still_valid)
    if bps:
        sql = sql.replace(f"b.{column}", _KEMENDAGRI)
    return Rule(f"{source}.{column}_valid",
                f"{column} is a region in the reference (or 00), or an old code still valid"
                + (" (BPS rows: after translation through wilayah_bps)" if bps else ""), sql)


def _non_negative(source: str, columns: list[str]) -> Rule:
    return Rule(f"{source}.non_negative", f"{', '.join(columns)} non-negative",
                " OR ".join(f"b.{c} < 0" for c in columns))


RULES: dict[str, list[Rule]] = {
    "penduduk_bekerja": [
        _known("penduduk_bekerja", "kode_wilayah", year="tahun", bps=True),
        _non_negative("penduduk_bekerja", ["penduduk_bekerja"]),
    ],
    "potensi_peserta": [
        _known("potensi_peserta", "kode_wilayah", year="tahun", bps=True),
        _non_negative("potensi_peserta", ["potensi_pu", "potensi_bpu", "potensi_jakon"]),
    ],
    "target_ucj": [
        _known("target_ucj", "kode_wilayah", year="tahun"),
        Rule("target_ucj.enum_values", "sumber_target is RPJMN, RKP, KEMENDAGRI_UCJ or RPJMD",
             enum_sql("sumber_target", list(spec("target_ucj").code_lists["sumber_target"]))),
        Rule("target_ucj.target_persen_range", "target_persen between 0 and 100",
             "b.target_persen < 0 OR b.target_persen > 100"),
    ],
    "wilayah_perubahan": [
        Rule("wilayah_perubahan.code_shape", "kode_lama and kode_baru are PP or PP.KK",
             f"b.kode_lama !~ {_CODE} OR b.kode_baru !~ {_CODE}"),
        Rule("wilayah_perubahan.kode_baru_valid", "kode_baru is a region in the reference",
             "NOT EXISTS (SELECT 1 FROM raw.wilayah AS w WHERE w.kode = b.kode_baru)"),
    ],
    "wilayah_bps": [
        _known("wilayah_bps", "kode_kemendagri"),
        Rule("wilayah_bps.code_shape", "kode_bps is PP or PP.KK",
             f"b.kode_bps !~ {_CODE}"),
    ],
    "regulasi_daerah": [
        _known("regulasi_daerah", "kode_pemda"),
        Rule("regulasi_daerah.enum_values", "jenis is a known instrument",
             enum_sql("jenis", list(spec("regulasi_daerah").code_lists["jenis"]))),
    ],
}


def checks(batch: StagedBatch) -> list[Check]:
    source = batch.source
    if source not in RULES:  # raw.wilayah (no source_row to cite) is the yardstick itself
        return []
    return [row_check(f"{source}.row_errors", "error", RULES[source]),
            unique_check(source, list(spec(source).grain))]

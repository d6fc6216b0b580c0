"""Suite for `peserta_rentan` (participant list, pseudonymised), EXTRACTS.md §2.

Row rules share two checks (errors, warnings) of what can be a 10-million-row batch: on
the profile the parser gathered while the rows streamed (sources/profile.py) — or on
the rows, for a batch staged without one; the grain is checked on the only rows whose
grain hash repeats. The NIK rules use the flags the parser computed before dropping
the NIK.
"""

from __future__ import annotations

from monev.quality.rules import (
    Check,
    Rule,
    enum_sql,
    lit,
    profile_check,
    region_invalid,
    region_premature,
    row_check,
    unique_check,
)
from monev.records import StagedBatch
from monev.sources.peserta_rentan import SPEC

VERSION = "1.0.0"
SOURCE = SPEC.name
GRAIN = list(SPEC.grain)
TARIF = {"JKK_JKM": 16_800, "JKK_JKM_JHT": 36_800}


def checks(batch: StagedBatch) -> list[Check]:
    p = lit(batch.periode)
    shape = (
        "CASE b.sumber_iuran"
        " WHEN 'APBD_PROVINSI' THEN coalesce(b.kode_pemda_pembayar, '') !~ '^[0-9]{2}$'"
        " WHEN 'APBD_KABKOTA' THEN coalesce(b.kode_pemda_pembayar, '') !~ '^[0-9]{2}[.][0-9]{2}$'"
        " WHEN 'APBDES' THEN coalesce(b.kode_pemda_pembayar, '') !~ '^[0-9]{2}[.][0-9]{2}$'"
        " WHEN 'CSR' THEN coalesce(b.kode_pemda_pembayar, '') <> ''"
        " ELSE false END"
    )
    tarif = " ".join(f"WHEN {lit(k)} THEN {v}" for k, v in TARIF.items())
    errors = [
        Rule(f"{SOURCE}.kode_wilayah_valid",
             "kode_wilayah_domisili is a kab/kota valid for the period",
             region_invalid("b.kode_wilayah_domisili", p, "kabkota")),
        Rule(f"{SOURCE}.kode_pemda_pembayar_valid",
             "kode_pemda_pembayar is a province or kab/kota valid for the period",
             region_invalid("nullif(b.kode_pemda_pembayar, '')", p, "any")),
        Rule(f"{SOURCE}.kode_pemda_pembayar_shape",
             "kode_pemda_pembayar is PP for APBD_PROVINSI, PP.KK for APBD_KABKOTA/APBDES,"
             " empty for CSR", shape),
        Rule(f"{SOURCE}.periode_matches_file", "periode equals the month in the file name",
             f"b.periode IS DISTINCT FROM {p}"),
        Rule(f"{SOURCE}.nik_valid", "NIK has 16 digits and a real embedded date",
             "NOT b.nik_valid"),
        Rule(f"{SOURCE}.non_negative", "iuran_rp is non-negative", "b.iuran_rp < 0"),
        Rule(f"{SOURCE}.enum_values", "jenis_kelamin, sumber_iuran, program, status are known",
             " OR ".join(f"({enum_sql(c, list(v))})" for c, v in SPEC.code_lists.items())),
    ]
    warnings = [
        Rule(f"{SOURCE}.nik_tanggal_cocok", "NIK's embedded birth date equals tanggal_lahir",
             "b.nik_tanggal_cocok IS FALSE"),
        Rule(f"{SOURCE}.nik_kelamin_cocok", "NIK's embedded sex equals jenis_kelamin",
             "b.nik_kelamin_cocok IS FALSE"),
        Rule(f"{SOURCE}.iuran_matches_tariff",
             "iuran_rp equals the package tariff (Rp16.800 JKK_JKM, Rp36.800 JKK_JKM_JHT)",
             f"b.iuran_rp <> CASE b.program {tarif} ELSE b.iuran_rp END"),
        Rule(f"{SOURCE}.region_code_before_change",
             "kode_wilayah_domisili created by a code change later than the period",
             region_premature("b.kode_wilayah_domisili", p)),
    ]
    if batch.profile_table:  # the rules read the rows' profile, staged beside them
        return [
            profile_check(f"{SOURCE}.row_errors", "error", errors, batch.profile_table),
            unique_check(SOURCE, GRAIN, batch.grain_candidates),
            profile_check(f"{SOURCE}.row_warnings", "warning", warnings, batch.profile_table),
        ]
    return [
        row_check(f"{SOURCE}.row_errors", "error", errors),
        unique_check(SOURCE, GRAIN),
        row_check(f"{SOURCE}.row_warnings", "warning", warnings),
    ]

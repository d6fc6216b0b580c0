"""Suite for `kepesertaan` (monthly coverage recap), EXTRACTS.md §1."""

from __future__ import annotations

from monev.quality.rules import (
    Check,
    Rule,
    enum_sql,
    lit,
    query_check,
    region_invalid,
    region_premature,
    row_check,
    unique_check,
)
from monev.records import StagedBatch
from monev.sources.kepesertaan import SPEC

VERSION = "1.0.0"
SOURCE = SPEC.name
GRAIN = list(SPEC.grain)
MOM_BAND = 0.30
CODES = SPEC.code_lists


def checks(batch: StagedBatch) -> list[Check]:
    p = lit(batch.periode)
    errors = [
        Rule(f"{SOURCE}.kode_wilayah_valid", "kode_wilayah is a kab/kota valid for the period",
             region_invalid("b.kode_wilayah", p, "kabkota")),
        Rule(f"{SOURCE}.periode_matches_file", "periode equals the month in the file name",
             f"b.periode IS DISTINCT FROM {p}"),
        Rule(f"{SOURCE}.tk_aktif_le_tk_terdaftar", "tk_aktif <= tk_terdaftar",
             "b.tk_aktif > b.tk_terdaftar"),
        Rule(f"{SOURCE}.non_negative", "counts and money are non-negative",
             "least(b.tk_terdaftar, b.tk_aktif, b.tk_baru, b.tk_keluar,"
             " coalesce(b.jumlah_proyek, 0), b.iuran_rp) < 0"),
        Rule(f"{SOURCE}.enum_values", "segmen, kategori_pekerja, sumber_iuran are known values",
             " OR ".join(f"({enum_sql(c, list(v))})" for c, v in CODES.items())),
    ]
    warnings = [
        Rule(f"{SOURCE}.region_code_before_change",
             "kode_wilayah created by a code change later than the period",
             region_premature("b.kode_wilayah", p)),
    ]
    mom = Rule(
        f"{SOURCE}.tk_aktif_mom_change",
        f"sum of tk_aktif per kab/kota within ±{MOM_BAND:.0%} of the previous published month",
        f"""WITH prev AS (SELECT max(periode) AS p FROM raw.kepesertaan WHERE periode < {p}),
            cur AS (SELECT kode_wilayah, sum(tk_aktif) AS s, min(source_row) AS r
                    FROM {{batch}} AS s GROUP BY kode_wilayah),
            old AS (SELECT k.kode_wilayah, sum(k.tk_aktif) AS s
                    FROM raw.kepesertaan AS k JOIN prev ON k.periode = prev.p
                    GROUP BY k.kode_wilayah)
            SELECT cur.r AS source_row,
                   jsonb_build_object('kode_wilayah', cur.kode_wilayah, 'sebelumnya', old.s,
                       'sekarang', cur.s,
                       'perubahan_persen', round(100.0 * (cur.s - old.s) / nullif(old.s, 0), 1))
                       AS detail
            FROM cur JOIN old USING (kode_wilayah)
            WHERE abs(cur.s - old.s) > {MOM_BAND} * old.s""",
    )
    missing = Rule(
        f"{SOURCE}.kabkota_missing",
        "every kab/kota of the previous published month is present",
        f"""WITH prev AS (SELECT max(periode) AS p FROM raw.kepesertaan WHERE periode < {p})
            SELECT NULL::integer AS source_row,
                   jsonb_build_object('kode_wilayah', o.kode_wilayah) AS detail
            FROM (SELECT DISTINCT k.kode_wilayah FROM raw.kepesertaan AS k
                  JOIN prev ON k.periode = prev.p) AS o
            WHERE NOT EXISTS (SELECT 1 FROM {{batch}} AS c
                              WHERE c.kode_wilayah = o.kode_wilayah)""",
    )
    return [
        row_check(f"{SOURCE}.row_errors", "error", errors),
        unique_check(SOURCE, GRAIN),
        row_check(f"{SOURCE}.row_warnings", "warning", warnings),
        query_check("warning", mom),
        query_check("warning", missing),
    ]

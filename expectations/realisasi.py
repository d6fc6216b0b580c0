"""Suite for `realisasi` (cumulative APBD spending), EXTRACTS.md §4.

Cumulative realisation is checked against the *published* neighbours of the batch's
month for the same key — the latest published month before it and the earliest after
it in the same year — so a late or backfilled month lands between what is loaded.
"""

from __future__ import annotations

from datetime import date

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
from monev.sources.realisasi import SPEC

VERSION = "1.0.0"
SOURCE = SPEC.name
GRAIN = list(SPEC.grain)
KEY = ["kode_pemda", "kode_sub_kegiatan", "kode_rekening", "sasaran"]
SASARAN = list(SPEC.code_lists["sasaran"])
VERSI_ORDER = "CASE lower(a.versi) WHEN 'murni' THEN 1 WHEN 'pergeseran' THEN 2 ELSE 3 END"


def _neighbour(batch: StagedBatch, before: bool) -> Rule:
    key = ", ".join(KEY)
    join = " AND ".join(f"n.{k} = b.{k}" for k in KEY)
    cmp, order, bad = ("<", "DESC", "<") if before else (">", "ASC", ">")
    name = "not_below_previous_month" if before else "not_above_next_month"
    what = "latest published month before" if before else "earliest published month after"
    return Rule(
        f"{SOURCE}.{name}",
        f"realisasi_kumulatif_rp {'>=' if before else '<='} the {what} (same key)",
        f"""SELECT b.source_row,
                   jsonb_build_object('kode_pemda', b.kode_pemda, 'bulan_pembanding', n.bulan,
                       'pembanding_rp', n.realisasi_kumulatif_rp,
                       'realisasi_kumulatif_rp', b.realisasi_kumulatif_rp) AS detail
            FROM {{batch}} AS b
            JOIN (SELECT DISTINCT ON ({key}) {key}, bulan, realisasi_kumulatif_rp
                  FROM raw.realisasi
                  WHERE tahun = {lit(batch.tahun)} AND bulan {cmp} {lit(batch.bulan)}
                  ORDER BY {key}, bulan {order}) AS n ON {join}
            WHERE b.realisasi_kumulatif_rp {bad} n.realisasi_kumulatif_rp""",
    )


def checks(batch: StagedBatch) -> list[Check]:
    period = lit(date(batch.tahun or 1, batch.bulan or 1, 1))
    errors = [
        Rule(f"{SOURCE}.kode_pemda_valid", "kode_pemda is a province or kab/kota in the reference",
             region_invalid("b.kode_pemda", period, "any")),
        Rule(f"{SOURCE}.periode_matches_file", "tahun and bulan equal the month in the file name",
             f"b.tahun IS DISTINCT FROM {lit(batch.tahun)}"
             f" OR b.bulan IS DISTINCT FROM {lit(batch.bulan)}"),
        Rule(f"{SOURCE}.non_negative", "realisasi_kumulatif_rp and peserta_dibayar non-negative",
             "b.realisasi_kumulatif_rp < 0 OR b.peserta_dibayar < 0"),
        Rule(f"{SOURCE}.enum_values", "sasaran is a known target group",
             enum_sql("sasaran", SASARAN)),
    ]
    key = ", ".join(KEY)
    join = " AND ".join(f"a.{k} = b.{k}" for k in KEY)
    above = Rule(
        f"{SOURCE}.not_above_allocation",
        "realisasi_kumulatif_rp <= pagu_rp of the latest published budget version (same key)",
        f"""SELECT b.source_row,
                   jsonb_build_object('kode_pemda', b.kode_pemda, 'versi', a.versi,
                       'pagu_rp', a.pagu_rp,
                       'realisasi_kumulatif_rp', b.realisasi_kumulatif_rp) AS detail
            FROM {{batch}} AS b
            JOIN (SELECT DISTINCT ON ({key}) {key}, a.versi, a.pagu_rp
                  FROM raw.anggaran AS a WHERE a.tahun = {lit(batch.tahun)}
                  ORDER BY {key}, {VERSI_ORDER} DESC, a.batch_id DESC) AS a ON {join}
            WHERE b.realisasi_kumulatif_rp > a.pagu_rp""",
    )
    return [
        row_check(f"{SOURCE}.row_errors", "error", errors),
        unique_check(SOURCE, GRAIN),
        query_check("error", _neighbour(batch, before=True)),
        query_check("error", _neighbour(batch, before=False)),
        row_check(f"{SOURCE}.row_warnings", "warning", [
            Rule(f"{SOURCE}.region_code_before_change",
                 "kode_pemda created by a code change later than the period",
                 region_premature("b.kode_pemda", period)),
        ]),
        query_check("warning", above),
    ]

"""Reference CSVs maintained by the Monev secretariat (contract §5). Each delivery
replaces its whole raw table."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.common import Failures
from monev.sources.csvfile import parse_csv
from monev.sources.registry import SourceFile
from monev.sources.tabular import Column, a_date, int4, integer, one_of, percent, region, text

_WILAYAH = region(province_ok=True, nation_ok=True)
# Denominators may give kode_wilayah in the BPS scheme, row by row (EXTRACTS.md §5): an
# optional last column, KEMENDAGRI when absent or empty. dbt translates BPS rows through
# wilayah_bps; Kemendagri rows are never translated.
_SKEMA_KODE = Column("skema_kode", one_of("KEMENDAGRI", "BPS"), required=False,
                     may_be_absent=True, default="KEMENDAGRI")

SPECS: dict[str, tuple[Column, ...]] = {
    "penduduk_bekerja": (
        Column("tahun", int4),
        Column("kode_wilayah", _WILAYAH),
        Column("penduduk_bekerja", integer),
        Column("sumber", text, required=False),
        _SKEMA_KODE,
    ),
    "potensi_peserta": (
        Column("tahun", int4),
        Column("kode_wilayah", _WILAYAH),
        Column("potensi_pu", integer),
        Column("potensi_bpu", integer),
        Column("potensi_jakon", integer),
        Column("sumber", text, required=False),
        _SKEMA_KODE,
    ),
    "target_ucj": (
        Column("tahun", int4),
        Column("kode_wilayah", _WILAYAH),
        Column("sumber_target", one_of("RPJMN", "RKP", "KEMENDAGRI_UCJ", "RPJMD")),
        Column("target_persen", percent),
    ),
    "wilayah_perubahan": (
        Column("kode_lama", _WILAYAH),
        Column("kode_baru", _WILAYAH),
        Column("berlaku_mulai", a_date),
        Column("dasar_hukum", text, required=False),
    ),
    "wilayah_bps": (
        # Both codes stored in the canonical form (PP or PP.KK, dot added if dropped), so
        # a BPS-coded denominator row, canonicalised the same way, finds its bridge row.
        Column("kode_kemendagri", _WILAYAH),
        Column("kode_bps", _WILAYAH),
        Column("nama", text, required=False),
    ),
    "regulasi_daerah": (
        Column("kode_pemda", region(province_ok=True)),
        Column("jenis", one_of("PERDA", "PERGUB", "PERBUP", "PERWALI", "SE", "KEPKADA", "PKS")),
        Column("nomor", text, required=False),
        Column("tahun", int4, required=False),
        Column("tanggal_penetapan", a_date, required=False),
        Column("judul", text, required=False),
    ),
}


def table(source: str) -> str:
    return f"raw.{source}"


def columns(source: str) -> list[str]:
    return [c.name for c in SPECS[source]] + ["batch_id", "source_row"]


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_csv(sf.path, gzipped=False, delimiter=",", columns=SPECS[sf.source],
                     failures=failures, batch_id=batch_id, counter=counter)

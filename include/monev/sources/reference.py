"""Reference CSVs maintained by the Monev secretariat (contract §5). Each delivery
replaces its whole raw table."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.common import Failures
from monev.sources.csvfile import parse_csv
from monev.sources.registry import SourceFile
from monev.sources.tabular import Column, a_date, integer, one_of, percent, region, text

_WILAYAH = region(province_ok=True, nation_ok=True)

SPECS: dict[str, tuple[Column, ...]] = {
    "penduduk_bekerja": (
        Column("tahun", integer),
        Column("kode_wilayah", _WILAYAH),
        Column("penduduk_bekerja", integer),
        Column("sumber", text, required=False),
    ),
    "potensi_peserta": (
        Column("tahun", integer),
        Column("kode_wilayah", _WILAYAH),
        Column("potensi_pu", integer),
        Column("potensi_bpu", integer),
        Column("potensi_jakon", integer),
        Column("sumber", text, required=False),
    ),
    "target_ucj": (
        Column("tahun", integer),
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
        # Kemendagri code is canonicalised; the BPS code is kept as delivered (its own scheme).
        Column("kode_kemendagri", _WILAYAH),
        Column("kode_bps", text),
        Column("nama", text, required=False),
    ),
    "regulasi_daerah": (
        Column("kode_pemda", region(province_ok=True)),
        Column("jenis", one_of("PERDA", "PERGUB", "PERBUP", "PERWALI", "SE", "KEPKADA", "PKS")),
        Column("nomor", text, required=False),
        Column("tahun", integer, required=False),
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

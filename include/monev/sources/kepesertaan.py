"""`kepesertaan_<YYYYMM>[_revN].csv[.gz]`: the monthly coverage recap (contract §1)."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.common import Failures
from monev.sources.csvfile import parse_csv
from monev.sources.registry import SourceFile
from monev.sources.tabular import Column, integer, month, one_of, region, text

TABLE = "raw.kepesertaan"
SEGMEN = ("PU", "BPU", "JAKON", "PMI")
KATEGORI = ("UMUM", "NON_ASN", "PERANGKAT_DESA", "RT_RW", "PENYELENGGARA_PEMILU",
            "PEKERJA_RENTAN")
SUMBER_IURAN = ("MANDIRI", "PEMBERI_KERJA", "APBD_PROVINSI", "APBD_KABKOTA", "APBDES", "APBN",
                "CSR", "LAINNYA")

SPEC = (
    Column("periode", month),
    Column("kode_wilayah", region()),
    Column("nama_wilayah", text, required=False),
    Column("segmen", one_of(*SEGMEN)),
    Column("kategori_pekerja", one_of(*KATEGORI)),
    Column("sumber_iuran", one_of(*SUMBER_IURAN)),
    Column("tk_terdaftar", integer),
    Column("tk_aktif", integer),
    Column("tk_baru", integer),
    Column("tk_keluar", integer),
    Column("jumlah_proyek", integer, required=False),
    Column("iuran_rp", integer),
)
COLUMNS = [c.name for c in SPEC] + ["batch_id", "source_row"]


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_csv(sf.path, gzipped=sf.gzipped, delimiter=";", columns=SPEC,
                     failures=failures, batch_id=batch_id, counter=counter)

"""`kepesertaan_<YYYYMM>[_revN].csv[.gz]`: the monthly coverage recap (contract §1)."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.common import Failures
from monev.sources.csvfile import parse_csv
from monev.sources.spec import SourceFile, SourceSpec
from monev.sources.tabular import Column, integer, month, one_of, region, spec_fields, text

SEGMEN = ("PU", "BPU", "JAKON", "PMI")
KATEGORI = ("UMUM", "NON_ASN", "PERANGKAT_DESA", "RT_RW", "PENYELENGGARA_PEMILU",
            "PEKERJA_RENTAN")
SUMBER_IURAN = ("MANDIRI", "PEMBERI_KERJA", "APBD_PROVINSI", "APBD_KABKOTA", "APBDES", "APBN",
                "CSR", "LAINNYA")

FIELDS = (
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


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_csv(sf.path, gzipped=sf.gzipped, delimiter=";", columns=FIELDS,
                     failures=failures, batch_id=batch_id, counter=counter)


SPEC = SourceSpec(
    name="kepesertaan",
    title="Monthly coverage recap per kab/kota, segment, category and payer (BPJS "
          "Ketenagakerjaan); `;`-delimited UTF-8 CSV, optionally gzip",
    period="month",
    extension=r"\.csv(\.gz)?",
    **spec_fields(FIELDS),
    parse=parse,
    grain=("periode", "kode_wilayah", "segmen", "kategori_pekerja", "sumber_iuran"),
    period_columns=("periode",),
    code_lists={"segmen": SEGMEN, "kategori_pekerja": KATEGORI, "sumber_iuran": SUMBER_IURAN},
)

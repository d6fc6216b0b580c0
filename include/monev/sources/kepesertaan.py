"""`kepesertaan_<YYYYMM>[_revN].csv[.gz]`: the monthly coverage recap (contract §1)."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.csvfile import parse_csv
from monev.sources.failures import Failures
from monev.sources.spec import SourceFile, SourceSpec
from monev.sources.tabular import Column, integer, month, one_of, region, spec_fields, text

# Each code list with its display label and meaning (dim_* in dbt reads them through the
# generated seeds, monev.transform.code_lists); the order is the display order.
LABELS: dict[str, dict[str, dict[str, str | int]]] = {
    "segmen": {
        "PU": {"nama": "Penerima Upah", "keterangan": "Wage earners: JKK, JKM, JHT, JP, JKP"},
        "BPU": {"nama": "Bukan Penerima Upah",
                "keterangan": "Informal/self-employed: JKK, JKM, optional JHT"},
        "JAKON": {"nama": "Jasa Konstruksi",
                  "keterangan": "Construction projects: JKK, JKM, per project"},
        "PMI": {"nama": "Pekerja Migran Indonesia",
                "keterangan": "Migrant workers: JKK, JKM, optional JHT"},
    },
    "kategori_pekerja": {
        "UMUM": {"nama": "Umum", "keterangan": "General workers"},
        "NON_ASN": {"nama": "Non-ASN", "keterangan": "Non-civil-servant government staff"},
        "PERANGKAT_DESA": {"nama": "Perangkat Desa", "keterangan": "Village officials"},
        "RT_RW": {"nama": "Pengurus RT/RW", "keterangan": "Neighbourhood (RT/RW) officials"},
        "PENYELENGGARA_PEMILU": {"nama": "Penyelenggara Pemilu", "keterangan": "Election workers"},
        "PEKERJA_RENTAN": {"nama": "Pekerja Rentan", "keterangan": "Vulnerable workers"},
    },
    "sumber_iuran": {
        "MANDIRI": {"nama": "Mandiri", "keterangan": "Paid by the worker"},
        "PEMBERI_KERJA": {"nama": "Pemberi Kerja", "keterangan": "Paid by the employer"},
        "APBD_PROVINSI": {"nama": "APBD Provinsi", "keterangan": "Provincial government budget"},
        "APBD_KABKOTA": {"nama": "APBD Kabupaten/Kota",
                         "keterangan": "Regency/city government budget"},
        "APBDES": {"nama": "APBDes", "keterangan": "Village budget"},
        "APBN": {"nama": "APBN", "keterangan": "National budget"},
        "CSR": {"nama": "CSR", "keterangan": "Company CSR scheme"},
        "LAINNYA": {"nama": "Lainnya", "keterangan": "Other"},
    },
}
SEGMEN = tuple(LABELS["segmen"])
KATEGORI = tuple(LABELS["kategori_pekerja"])
SUMBER_IURAN = tuple(LABELS["sumber_iuran"])

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
    code_labels=LABELS,
)

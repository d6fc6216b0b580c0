"""`anggaran_<YYYY>_<versi>[_revN].xlsx`: APBD budget lines (contract §3)."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.failures import Failures
from monev.sources.sipd import parse_sheet
from monev.sources.spec import SourceFile, SourceSpec
from monev.sources.tabular import Column, int4, integer, number, one_of, region, spec_fields, text

SASARAN = ("PEKERJA_RENTAN", "NON_ASN", "PERANGKAT_DESA", "RT_RW", "PENYELENGGARA_PEMILU")
# Budget versions in precedence order: a later one supersedes an earlier one of the same
# year (dim_versi_anggaran.urutan, read through the generated seed).
VERSI_LABELS: dict[str, dict[str, str | int]] = {
    "murni": {"nama": "APBD Murni", "keterangan": "Original budget"},
    "pergeseran": {"nama": "Pergeseran", "keterangan": "Reallocation"},
    "perubahan": {"nama": "APBD Perubahan", "keterangan": "Revised budget (APBD-P)"},
}
VERSI = tuple(VERSI_LABELS)

FIELDS = (
    Column("tahun", int4),
    Column("versi", one_of(*VERSI, upper=False)),
    Column("kode_pemda", region(province_ok=True)),
    Column("nama_pemda", text, required=False),
    Column("kode_skpd", text, required=False),
    Column("nama_skpd", text, required=False),
    Column("kode_sub_kegiatan", text),
    Column("nama_sub_kegiatan", text, required=False),
    Column("kode_rekening", text),
    Column("uraian_rekening", text, required=False),
    Column("sasaran", one_of(*SASARAN)),
    Column("target_peserta", integer),
    Column("pagu_rp", number),
)


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_sheet(sf.path, sheet="anggaran", columns=FIELDS, failures=failures,
                       batch_id=batch_id, counter=counter)


SPEC = SourceSpec(
    name="anggaran",
    title="APBD budget lines for Jamsostek contributions per year and budget version "
          "(SIPD export, worksheet `anggaran`)",
    period="budget",
    extension=r"\.xlsx",
    versions=VERSI,
    **spec_fields(FIELDS),
    parse=parse,
    grain=("tahun", "versi", "kode_pemda", "kode_sub_kegiatan", "kode_rekening", "sasaran"),
    period_columns=("tahun", "versi"),
    code_lists={"versi": VERSI, "sasaran": SASARAN},
    code_labels={"versi": VERSI_LABELS},
)

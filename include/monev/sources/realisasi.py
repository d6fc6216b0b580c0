"""`realisasi_<YYYYMM>[_revN].xlsx`: APBD spending realisation, cumulative (contract §4)."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.anggaran import SASARAN
from monev.sources.failures import Failures
from monev.sources.sipd import parse_sheet
from monev.sources.spec import SourceFile, SourceSpec
from monev.sources.tabular import Column, int4, integer, number, one_of, region, spec_fields, text

FIELDS = (
    Column("tahun", int4),
    Column("bulan", int4),
    Column("kode_pemda", region(province_ok=True)),
    Column("kode_sub_kegiatan", text),
    Column("kode_rekening", text),
    Column("sasaran", one_of(*SASARAN)),
    Column("realisasi_kumulatif_rp", number),
    Column("peserta_dibayar", integer),
)


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_sheet(sf.path, sheet="realisasi", columns=FIELDS, failures=failures,
                       batch_id=batch_id, counter=counter)


SPEC = SourceSpec(
    name="realisasi",
    title="APBD spending realisation, cumulative from January to the month (SIPD/BPKAD "
          "export, worksheet `realisasi`)",
    period="month",
    extension=r"\.xlsx",
    **spec_fields(FIELDS),
    parse=parse,
    grain=("tahun", "bulan", "kode_pemda", "kode_sub_kegiatan", "kode_rekening", "sasaran"),
    period_columns=("tahun", "bulan"),
    code_lists={"sasaran": SASARAN},
)

"""`toy_<YYYYMM>[_revN].csv[.gz]`: a toy monthly count per kab/kota, declared as any
source is — the source module the toy-source test adds (tests/integration/test_toy_source.py)."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.csvfile import parse_csv
from monev.sources.failures import Failures
from monev.sources.spec import SourceFile, SourceSpec
from monev.sources.tabular import Column, integer, month, region, spec_fields

FIELDS = (Column("periode", month), Column("kode_wilayah", region()), Column("nilai", integer))


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_csv(sf.path, gzipped=sf.gzipped, delimiter=";", columns=FIELDS,
                     failures=failures, batch_id=batch_id, counter=counter)


SPEC = SourceSpec(
    name="toy",
    title="A toy monthly count per kab/kota; `;`-delimited UTF-8 CSV",
    period="month",
    extension=r"\.csv(\.gz)?",
    **spec_fields(FIELDS),
    parse=parse,
    grain=("periode", "kode_wilayah"),
    period_columns=("periode",),
)

"""Reference CSVs maintained by the Monev secretariat (contract §5). Each delivery
replaces its whole raw table."""

from __future__ import annotations

from collections.abc import Iterator

from monev.sources.csvfile import parse_csv
from monev.sources.failures import Failures
from monev.sources.spec import SourceFile, SourceSpec
from monev.sources.tabular import (
    Column,
    a_date,
    int4,
    integer,
    one_of,
    percent,
    region,
    spec_fields,
    text,
)

_WILAYAH = region(province_ok=True, nation_ok=True)
# Denominators may give kode_wilayah in the BPS scheme, row by row (EXTRACTS.md §5): an
# optional last column, KEMENDAGRI when absent or empty. dbt translates BPS rows through
# wilayah_bps; Kemendagri rows are never translated.
SKEMA_KODE = ("KEMENDAGRI", "BPS")
SUMBER_TARGET = ("RPJMN", "RKP", "KEMENDAGRI_UCJ", "RPJMD")
JENIS_REGULASI = ("PERDA", "PERGUB", "PERBUP", "PERWALI", "SE", "KEPKADA", "PKS")
_SKEMA_KODE = Column("skema_kode", one_of(*SKEMA_KODE), required=False,
                     may_be_absent=True, default="KEMENDAGRI")

FIELDS: dict[str, tuple[Column, ...]] = {
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
        Column("sumber_target", one_of(*SUMBER_TARGET)),
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
        Column("jenis", one_of(*JENIS_REGULASI)),
        Column("nomor", text, required=False),
        Column("tahun", int4, required=False),
        Column("tanggal_penetapan", a_date, required=False),
        Column("judul", text, required=False),
    ),
}


TITLES = {
    "wilayah_perubahan": "Region code changes (kode_lama → kode_baru from berlaku_mulai); "
                         "the 2022 Papua split is shipped",
    "wilayah_bps": "Bridge from Kemendagri to BPS region codes where the schemes differ",
    "penduduk_bekerja": "Employed population per year and region (BPS Sakernas, August round)",
    "potensi_peserta": "BPJS eligible-worker estimate (potensi) per year and region",
    "target_ucj": "Coverage targets per year, region and target source",
    "regulasi_daerah": "Regional legal instruments on Jamsostek",
}
CODE_LISTS = {
    "target_ucj": {"sumber_target": SUMBER_TARGET},
    "regulasi_daerah": {"jenis": JENIS_REGULASI},
    "penduduk_bekerja": {"skema_kode": SKEMA_KODE},
    "potensi_peserta": {"skema_kode": SKEMA_KODE},
}
GRAINS = {
    "penduduk_bekerja": ("tahun", "kode_wilayah", "skema_kode"),
    "potensi_peserta": ("tahun", "kode_wilayah", "skema_kode"),
    "target_ucj": ("tahun", "kode_wilayah", "sumber_target"),
    "wilayah_perubahan": ("kode_lama", "kode_baru"),
    "wilayah_bps": ("kode_kemendagri",),
    "regulasi_daerah": ("kode_pemda", "jenis", "nomor", "tahun"),
}


def parse(sf: SourceFile, batch_id: int, failures: Failures, counter: list[int]) -> Iterator[str]:
    return parse_csv(sf.path, gzipped=False, delimiter=",", columns=FIELDS[sf.source],
                     failures=failures, batch_id=batch_id, counter=counter)


SPECS = tuple(
    SourceSpec(
        name=name,
        title=TITLES[name] + " (secretariat reference CSV, `,`-delimited; a delivery "
                             "replaces the whole table)",
        period="referensi",
        extension=r"\.csv",
        **spec_fields(fields),
        parse=parse,
        grain=GRAINS[name],
        suite="referensi",
        code_lists=CODE_LISTS.get(name, {}),
    )
    # the load order is the catalog's (sources.registry)
    for name, fields in FIELDS.items()
)

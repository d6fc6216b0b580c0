"""Which extract a delivered file is, from its name alone: source, period, revision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MONTHLY_SOURCES = ("kepesertaan", "peserta_rentan", "anggaran", "realisasi")
REFERENCE_SOURCES = (
    "wilayah_perubahan", "wilayah_bps", "penduduk_bekerja", "potensi_peserta",
    "target_ucj", "regulasi_daerah",
)
SOURCE_ORDER = {s: i for i, s in enumerate(REFERENCE_SOURCES + MONTHLY_SOURCES)}

_PATTERNS = {
    "kepesertaan": re.compile(r"^kepesertaan_(\d{4})(\d{2})(?:_rev(\d+))?\.csv(\.gz)?$"),
    "peserta_rentan": re.compile(r"^peserta_rentan_(\d{4})(\d{2})(?:_rev(\d+))?\.csv(\.gz)$"),
    "anggaran": re.compile(
        r"^anggaran_(\d{4})_(murni|pergeseran|perubahan)(?:_rev(\d+))?\.xlsx()$"
    ),
    "realisasi": re.compile(r"^realisasi_(\d{4})(\d{2})(?:_rev(\d+))?\.xlsx()$"),
}


class UnknownFile(ValueError):
    """The file name matches no extract in the contract."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str
    period_key: str  # '2024-03'; anggaran '2024/murni'; reference files 'all'
    revision: int = 0
    periode: date | None = None
    tahun: int | None = None
    bulan: int | None = None
    versi: str | None = None
    gzipped: bool = False

    @property
    def is_reference(self) -> bool:
        return self.source in REFERENCE_SOURCES

    @property
    def sort_key(self) -> tuple[int, int, str, int, str]:
        return (0 if self.is_reference else 1, SOURCE_ORDER[self.source], self.period_key,
                self.revision, self.path.name)


# Years a delivery can be for, and the highest revision number: names outside these are
# typos or garbage, refused by name before anything reads the file.
YEARS = range(2000, 2100)
MAX_REVISION = 9999


def identify(path: Path) -> SourceFile:
    """Source, period and revision from the file name — the one grammar of file names,
    used by the ingest pipeline and by the landing intake alike."""
    name = path.name
    stem = name.removesuffix(".csv")
    if name.endswith(".csv") and stem in REFERENCE_SOURCES:
        return SourceFile(path, stem, "all")
    for source, pattern in _PATTERNS.items():
        m = pattern.match(name)
        if not m:
            continue
        year = int(m.group(1))
        if year not in YEARS:
            raise UnknownFile(f"{name}: year {year} in the file name is outside "
                              f"{YEARS.start}-{YEARS.stop - 1}")
        digits = m.group(3) or "0"
        if len(digits) > len(str(MAX_REVISION)):
            raise UnknownFile(f"{name}: revision in the file name is above {MAX_REVISION}")
        rev = int(digits)
        gz = bool(m.group(4))
        if source == "anggaran":
            versi = m.group(2)
            return SourceFile(path, source, f"{year}/{versi}", rev, tahun=year, versi=versi)
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise UnknownFile(f"{name}: month {month:02d} in the file name is not a month")
        return SourceFile(path, source, f"{year}-{month:02d}", rev, periode=date(year, month, 1),
                          tahun=year, bulan=month, gzipped=gz)
    raise UnknownFile(
        f"{name}: not a file name of the extract contract (expected e.g. "
        "kepesertaan_YYYYMM[_revN].csv[.gz], peserta_rentan_YYYYMM[_revN].csv.gz, "
        "anggaran_YYYY_<murni|pergeseran|perubahan>[_revN].xlsx, realisasi_YYYYMM[_revN].xlsx "
        "or a referensi/ CSV)"
    )

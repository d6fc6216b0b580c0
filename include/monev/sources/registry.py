"""Every source's spec, in load order, and which source a delivered file is from its
name alone — the one grammar of file names, used by the ingest pipeline and the landing
intake alike. Adding a source: its module with a SPEC, listed here; its suite; its
staging model."""

from __future__ import annotations

from pathlib import Path

from monev.sources import anggaran, kepesertaan, peserta_rentan, realisasi, referensi
from monev.sources.spec import SourceFile, SourceSpec, UnknownFile

# Reference files first (their codes are the yardstick of the others), then the
# monthly sources.
SPECS: tuple[SourceSpec, ...] = (
    *referensi.SPECS, kepesertaan.SPEC, peserta_rentan.SPEC, anggaran.SPEC, realisasi.SPEC)
BY_NAME = {s.name: s for s in SPECS}
REFERENSI_SOURCES = tuple(s.name for s in SPECS if s.is_referensi)
MONTHLY_SOURCES = tuple(s.name for s in SPECS if not s.is_referensi)

__all__ = [
    "BY_NAME",
    "SPECS",
    "SourceFile",
    "SourceSpec",
    "UnknownFile",
    "identify",
    "sort_key",
    "spec",
]


def spec(source: str) -> SourceSpec:
    return BY_NAME[source]


def identify(path: Path) -> SourceFile:
    """Source, period and revision from the file name, or UnknownFile with the reason."""
    for s in SPECS:
        sf = s.match(path)
        if sf is not None:
            return sf
    examples = ", ".join(s.file_example() for s in SPECS if not s.is_referensi)
    raise UnknownFile(f"{path.name}: not a file name of the extract contract (expected e.g. "
                      f"{examples} or a referensi/ CSV)")


def sort_key(sf: SourceFile) -> tuple[int, int, str, int, str]:
    """Reference files first, then by source, period and revision: the order a batch of
    deliveries lands in."""
    order = SPECS.index(BY_NAME[sf.source])
    return (0 if sf.is_referensi else 1, order, sf.period_key, sf.revision, sf.path.name)

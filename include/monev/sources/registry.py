"""Every source's spec, in load order, and which source a delivered file is from its
name alone — the one grammar of file names, used by the ingest pipeline and the landing
intake alike. Which sources exist and their order is `monev.catalog`'s. Adding a
source: its line in the catalog, its module with a SPEC (listed here), its suite, its
staging model."""

from __future__ import annotations

from pathlib import Path

from monev import catalog
from monev.sources import anggaran, kepesertaan, peserta_rentan, realisasi, referensi
from monev.sources.spec import SourceFile, SourceSpec, UnknownFile

# Each source module's spec, attached to the catalog's list (names, order, delivery).
_DECLARED: dict[str, SourceSpec] = {
    s.name: s
    for s in (*referensi.SPECS, kepesertaan.SPEC, peserta_rentan.SPEC, anggaran.SPEC,
              realisasi.SPEC)
}
if set(_DECLARED) != set(catalog.NAMES) or any(
        _DECLARED[s.name].period != s.period for s in catalog.SOURCES if s.name in _DECLARED):
    raise ImportError(
        "monev.catalog and the source modules' specs disagree: catalog "
        f"{[(s.name, s.period) for s in catalog.SOURCES]}, specs "
        f"{sorted((s.name, s.period) for s in _DECLARED.values())}")
# In the catalog's load order.
SPECS: tuple[SourceSpec, ...] = tuple(_DECLARED[name] for name in catalog.NAMES)
BY_NAME = {s.name: s for s in SPECS}
REFERENSI_SOURCES = catalog.REFERENSI
# every source delivered per period (monthly and budget), not only the monthly ones
MONTHLY_SOURCES = catalog.PERIODIC

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

"""Every source's spec, in load order, and which source a delivered file is from its
name alone — the one grammar of file names, used by the ingest pipeline and the landing
intake alike. Which sources exist and their order is `monev.catalog`'s; each catalog
source's spec is found by its name: `monev.sources.<name>.SPEC` for a periodic source,
`monev.sources.referensi.SPECS` for the secretariat's reference files. Adding a source:
its line in the catalog, its module here, its suite, its staging model."""

from __future__ import annotations

import importlib
from pathlib import Path

from monev import catalog
from monev.sources.spec import SourceFile, SourceSpec, UnknownFile

REFERENSI_MODULE = "monev.sources.referensi"


def _declared() -> dict[str, SourceSpec]:
    """Each catalog source's spec, from the module its name points to."""
    found: dict[str, SourceSpec] = {}
    for module in dict.fromkeys(REFERENSI_MODULE if s.is_referensi else f"monev.sources.{s.name}"
                                for s in catalog.SOURCES):
        mod = importlib.import_module(module)
        for spec in getattr(mod, "SPECS", None) or (mod.SPEC,):
            found[spec.name] = spec
    return found


_DECLARED = _declared()
if set(_DECLARED) != set(catalog.NAMES) or any(
        _DECLARED[s.name].period != s.period for s in catalog.SOURCES):
    raise ImportError(
        "monev.catalog and the source modules' specs disagree: catalog "
        f"{[(s.name, s.period) for s in catalog.SOURCES]}, specs "
        f"{sorted((s.name, s.period) for s in _DECLARED.values())}")
# In the catalog's load order.
SPECS: tuple[SourceSpec, ...] = tuple(_DECLARED[name] for name in catalog.NAMES)
BY_NAME = {s.name: s for s in SPECS}

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


def sort_key(sf: SourceFile) -> tuple[int, str, int, int, str]:
    """The catalog's load order (catalog.load_order), then revision and name: the
    order a batch of deliveries lands in."""
    return (*catalog.load_order(sf.source, sf.period_key), sf.revision, sf.path.name)

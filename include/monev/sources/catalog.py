"""Which sources exist, in load order, and how each is delivered — without a parser.

The one list of sources. `sources.registry` attaches each source module's spec to it
(and refuses to import if a spec is missing, extra or delivered otherwise); everything
that needs only the names — the DAG files' assets, the landing intake, the load order —
reads this module, so parsing a DAG file imports no parser, numpy or pyarrow.
Adding a source: a line here, its module with a SPEC (listed in `registry`), its suite,
its staging model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# month: <name>_YYYYMM; budget: <name>_YYYY_<versi> (a year's budget version);
# referensi: referensi/<name>.csv, a whole table replaced by each delivery
Period = Literal["month", "budget", "referensi"]


@dataclass(frozen=True)
class Source:
    name: str  # as in file names, raw.<name> and audit.load_batches.source
    period: Period

    @property
    def is_referensi(self) -> bool:
        return self.period == "referensi"


# Load order: reference files first (their codes are the yardstick of the others:
# region changes and the BPS bridge before the figures that use their codes), then the
# delivered sources.
SOURCES: tuple[Source, ...] = (
    Source("wilayah_perubahan", "referensi"),
    Source("wilayah_bps", "referensi"),
    Source("penduduk_bekerja", "referensi"),
    Source("potensi_peserta", "referensi"),
    Source("target_ucj", "referensi"),
    Source("regulasi_daerah", "referensi"),
    Source("kepesertaan", "month"),
    Source("peserta_rentan", "month"),
    Source("anggaran", "budget"),
    Source("realisasi", "month"),
)
BY_NAME = {s.name: s for s in SOURCES}
NAMES = tuple(s.name for s in SOURCES)
REFERENSI = tuple(s.name for s in SOURCES if s.is_referensi)
# delivered per period (a month or a budget year), i.e. not reference tables
PERIODIC = tuple(s.name for s in SOURCES if not s.is_referensi)
MONTHLY = tuple(s.name for s in SOURCES if s.period == "month")
# The landing intake's groups, in load order: the reference CSVs (one folder,
# `referensi/`) travel together, each periodic source on its own.
LANDING_GROUP_REFERENSI = "referensi"
LANDING_GROUPS = (LANDING_GROUP_REFERENSI, *PERIODIC)

"""Which sources exist, in load order, and how each is delivered — without a parser.

The one list of sources. `sources.registry` attaches each source module's spec to it
(and refuses to import if a spec is missing, extra or delivered otherwise); everything
that needs only the names — the DAG files' assets, the landing intake, the load order —
reads this module, so parsing a DAG file imports no parser, numpy or pyarrow.
Adding a source: a line here, its module `sources/<name>.py` with a SPEC, its suite, its
staging model (docs/INGEST.md; tests/integration/test_toy_source.py).
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
    # the monthly report needs it: a month is complete when each such source has a
    # delivery covering it (`covers`), and the report's source status lists it
    report: bool = False
    # watched for late data by default (`MONEV_WATCHED_SOURCES`): a month-keyed source
    # whose lateness holds a report back
    watched: bool = False
    # a copy ships with the warehouse (monev/referensi/data/<name>.csv), loaded on first
    # use while nothing of it is loaded; its batch alone does not make a warehouse
    # "not empty"
    shipped: bool = False

    @property
    def is_referensi(self) -> bool:
        return self.period == "referensi"

    def covers(self, period_key: str, periode: str) -> bool:
        """Does a delivery of this source for `period_key` cover month `periode`
        ('YYYY-MM')? A month's delivery covers its month; a budget (`YYYY/<versi>` or
        `YYYY`) covers every month of its year; a reference table every month."""
        if self.period == "referensi":
            return True
        if self.period == "budget":
            return period_key[:4] == periode[:4]
        return period_key == periode

    def up_to(self, period_key: str, periode: str) -> bool:
        """Is a delivery for `period_key` of `periode` or earlier (a run for a month
        ignores later months' files, so a backfill does not pull the future)?"""
        if self.period == "referensi":
            return True
        if self.period == "budget":
            return period_key[:4] <= periode[:4]
        return period_key <= periode


# Load order: reference files first (their codes are the yardstick of the others:
# region changes and the BPS bridge before the figures that use their codes), then the
# delivered sources.
SOURCES: tuple[Source, ...] = (
    Source("wilayah_perubahan", "referensi", shipped=True),
    Source("wilayah_bps", "referensi", shipped=True),
    Source("penduduk_bekerja", "referensi"),
    Source("potensi_peserta", "referensi"),
    Source("target_ucj", "referensi"),
    Source("regulasi_daerah", "referensi"),
    Source("kepesertaan", "month", report=True, watched=True),
    Source("peserta_rentan", "month", report=True, watched=True),
    Source("anggaran", "budget", report=True),
    Source("realisasi", "month", report=True),
)
BY_NAME = {s.name: s for s in SOURCES}
NAMES = tuple(s.name for s in SOURCES)
REFERENSI = tuple(s.name for s in SOURCES if s.is_referensi)
# delivered per period (a month or a budget year), i.e. not reference tables
PERIODIC = tuple(s.name for s in SOURCES if not s.is_referensi)
MONTHLY = tuple(s.name for s in SOURCES if s.period == "month")
# what a month's report needs (completeness, the report's source status), in load order
REPORT = tuple(s.name for s in SOURCES if s.report)
# the default of MONEV_WATCHED_SOURCES
WATCHED = tuple(s.name for s in SOURCES if s.watched)
# the reference tables shipped with the warehouse, in load order
SHIPPED = tuple(s.name for s in SOURCES if s.shipped)
# The landing intake's groups, in load order: the reference CSVs (one folder,
# `referensi/`) travel together, each periodic source on its own.
LANDING_GROUP_REFERENSI = "referensi"
LANDING_GROUPS = (LANDING_GROUP_REFERENSI, *PERIODIC)


def load_order(source: str, period_key: str) -> tuple[int, str, int]:
    """Where a delivery of `source` for `period_key` goes in the load order, the one
    rule of `monev ingest` and the ingest DAG: reference tables first in catalog order
    (the landing's reference group, which travels whole, before them all), then the
    budgets, then the months oldest first - the gate compares a month with the
    published month before it - the sources of a month in catalog order. Callers
    break ties by revision (lower first: the highest, published last, wins) and name."""
    if source == LANDING_GROUP_REFERENSI:
        return (0, "", -1)
    s = BY_NAME[source]
    kind = 0 if s.is_referensi else 1 if s.period == "budget" else 2
    return (kind, period_key, SOURCES.index(s))

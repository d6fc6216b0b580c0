"""What a source is, in one record: the `SourceSpec` each module in `sources/` declares,
and the `SourceFile` a delivered file becomes once its name is read against the specs.

Every consumer — the landing intake, the parser dispatch, the publish step, the quality
gate, the code-list check against dbt, the generated contract doc — reads these specs;
nothing else knows a source's file names, columns, code lists or publish rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from monev.catalog import Period

# Years a delivery can be for, and the highest revision number: names outside these are
# typos or garbage, refused by name before anything reads the file.
YEARS = range(2000, 2100)
MAX_REVISION = 9999
__all__ = ["MAX_REVISION", "YEARS", "Period", "SourceFile", "SourceSpec", "UnknownFile"]

class UnknownFile(ValueError):
    """The file name matches no extract in the contract."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str
    period_key: str  # '2024-03'; anggaran '2024/murni'; referensi files 'all'
    revision: int = 0
    periode: date | None = None
    tahun: int | None = None
    bulan: int | None = None
    versi: str | None = None
    gzipped: bool = False

    @property
    def is_referensi(self) -> bool:
        return self.period_key == "all"


@dataclass(frozen=True)
class SourceSpec:
    name: str  # the source, as in file names, raw.<name> and audit.load_batches.source
    title: str  # one line for people: what the file is and who sends it
    period: Period  # month: <name>_YYYYMM; budget: <name>_YYYY_<versi>; referensi: <name>.csv
    extension: str  # file-name ending, a regex: r"\.csv(\.gz)?", r"\.xlsx"
    columns: tuple[str, ...]  # COPY column order into raw.<name> (batch_id, source_row last)
    parse: Callable[..., Iterator[str | bytes]]  # (sf, batch_id, failures, counter[, progress])
    delivered: tuple[str, ...]  # the columns of the delivered file, in the contract's order
    types: dict[str, str]  # delivered column → how its values look (for the contract doc)
    grain: tuple[str, ...] = ()  # one row per these columns (a duplicate key is an error)
    optional: tuple[str, ...] = ()  # delivered columns the sender may leave out
    # Publishing: the raw rows whose columns equal the file's period values are replaced
    # (none: the whole table); `partitioned` swaps the month's partition instead.
    period_columns: tuple[str, ...] = ()
    partitioned: bool = False
    personal: bool = False  # holds NIK, names or birth dates (pseudonymised at parse)
    suite: str = ""  # module in expectations/ (default: the source's name)
    code_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Display attributes of some lists' codes ({column: {code: {nama, keterangan, ...}}}),
    # for the dimension that lists them; the generated dbt seeds carry them
    # (monev.transform.code_lists refuses labels that are not exactly the list's codes).
    code_labels: dict[str, dict[str, dict[str, str | int]]] = field(default_factory=dict)
    versions: tuple[str, ...] = ()  # budget sources: the versi values of the file name
    streams_progress: bool = False  # parse takes a progress callback
    # The raw table's delivered columns as (name, SQL type[ NOT NULL]), from the column
    # spec: the pipeline creates raw.<name> from them when it is missing (a new source
    # needs no migration). Empty: the table is the migrations' (peserta_rentan's
    # partitioned table).
    raw_types: tuple[tuple[str, str], ...] = ()
    # Big sources: the columns the gate's row rules read. The parser then takes a
    # `profile` (sources/profile.py) and the gate checks that instead of the batch.
    profile: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def suite_name(self) -> str:
        return self.suite or self.name

    @property
    def is_referensi(self) -> bool:
        return self.period == "referensi"

    @cached_property
    def file_pattern(self) -> re.Pattern[str]:
        # ASCII digits only: \d and int() would take '٣' or a fullwidth '３' as a digit
        rev = r"(?:_rev([0-9]+))?"
        if self.period == "month":
            return re.compile(rf"{self.name}_([0-9]{{4}})([0-9]{{2}}){rev}({self.extension})")
        if self.period == "budget":
            versi = "|".join(self.versions)
            return re.compile(rf"{self.name}_([0-9]{{4}})_({versi}){rev}({self.extension})")
        return re.compile(rf"{self.name}({self.extension})")

    def file_example(self) -> str:
        if self.period == "month":
            return f"{self.name}_YYYYMM[_revN]" + self.extension.replace("\\", "")
        if self.period == "budget":
            return (f"{self.name}_YYYY_<{'|'.join(self.versions)}>[_revN]"
                    + self.extension.replace("\\", ""))
        return f"referensi/{self.name}.csv"

    def match(self, path: Path) -> SourceFile | None:
        """The SourceFile for `path` if its name is one of this source's, else None.
        Raises UnknownFile for a name of this source with an impossible period."""
        name = path.name
        # the whole name, not a prefix: `$` would also accept a trailing newline
        m = self.file_pattern.fullmatch(name)
        if m is None:
            return None
        if self.period == "referensi":
            return SourceFile(path, self.name, "all")
        year = int(m.group(1))
        if year not in YEARS:
            raise UnknownFile(f"{name}: year {year} in the file name is outside "
                              f"{YEARS.start}-{YEARS.stop - 1}")
        digits = m.group(3) or "0"
        if len(digits) > len(str(MAX_REVISION)):
            raise UnknownFile(f"{name}: revision in the file name is above {MAX_REVISION}")
        rev = int(digits)
        gz = m.group(4).endswith(".gz")
        if self.period == "budget":
            versi = m.group(2)
            return SourceFile(path, self.name, f"{year}/{versi}", rev, tahun=year, versi=versi)
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise UnknownFile(f"{name}: month {month:02d} in the file name is not a month")
        return SourceFile(path, self.name, f"{year}-{month:02d}", rev,
                          periode=date(year, month, 1), tahun=year, bulan=month, gzipped=gz)

    def period_values(self, sf: SourceFile) -> tuple[object, ...]:
        """The values of `period_columns` for the file's period."""
        return tuple(getattr(sf, c) for c in self.period_columns)

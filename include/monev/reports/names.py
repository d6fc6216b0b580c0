"""Report file names, written and parsed here only.

A report set of kind `month` (key `YYYY-MM`) or `semester` (key `YYYY-H`) for one scope
(the nation or a province) and revision is four archive entries beside each other:

    <folder>/<stem>.pdf, .xlsx, .html and <stem>_data/ (the snapshot)

    month    folder YYYY-MM           stem monev_<slug>_<YYYY-MM>[_revN]
    semester folder semester-YYYY-H   stem monev_semester_<slug>_<YYYY-H>[_revN]

with slug `nasional` or `prov<PP>`; revision 1 carries no `_rev` suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monev import periods
from monev.reports.data import NATIONAL
from monev.reports.withheld import SNAPSHOT_SUFFIX

MONTH, SEMESTER = "month", "semester"
# kind -> (stem prefix, folder prefix, key pattern)
_KINDS = {MONTH: ("monev", "", periods.MONTH_PATTERN),
          SEMESTER: ("monev_semester", "semester-", periods.SEMESTER_PATTERN)}
EXTENSIONS = ("pdf", "xlsx", "html")
_FILE = re.compile(r"^monev_(?:(?P<semester>semester)_)?(?P<slug>nasional|prov(?P<prov>[0-9]{2}))_"
                   r"(?P<key>[0-9]{4}-[0-9]{1,2})(?:_rev(?P<rev>[0-9]+))?\.(?P<ext>pdf|xlsx|html)$")


@dataclass(frozen=True)
class ReportFile:
    kind: str
    key: str
    scope: str
    revision: int
    ext: str


def stem(kind: str, key: str, scope: str, revision: int) -> str:
    slug = "nasional" if scope == NATIONAL else f"prov{scope}"
    return f"{_KINDS[kind][0]}_{slug}_{key}" + (f"_rev{revision}" if revision > 1 else "")


def folder(kind: str, key: str) -> str:
    """The archive folder of a period's report sets."""
    return _KINDS[kind][1] + key


def snapshot(stem_: str) -> str:
    return f"{stem_}{SNAPSHOT_SUFFIX}"


def entries(stem_: str) -> tuple[str, ...]:
    """The archive entries of one set."""
    return (*(f"{stem_}.{ext}" for ext in EXTENSIONS), snapshot(stem_))


def folder_key(kind: str, name: str) -> str | None:
    """The period key of an archive folder of `kind`, None for any other folder."""
    prefix, pattern = _KINDS[kind][1], _KINDS[kind][2]
    key = name.removeprefix(prefix) if name.startswith(prefix) else None
    return key if key is not None and re.fullmatch(pattern, key) else None


def parse(name: str) -> ReportFile | None:
    """A report document's file name read back; None for anything else."""
    m = _FILE.match(name)
    if not m:
        return None
    kind = SEMESTER if m["semester"] else MONTH
    if not re.fullmatch(_KINDS[kind][2], m["key"]):
        return None
    return ReportFile(kind, m["key"], m["prov"] or NATIONAL, int(m["rev"] or 1), m["ext"])

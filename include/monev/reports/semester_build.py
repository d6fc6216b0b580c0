"""The semester report (Laporan Semester) as a report kind: the national report and one
annex per province, PDF + Excel + HTML, under `<reports_dir>/semester-<YYYY-H>/` with a
Parquet snapshot of the mart rows each was built from. Built by the one build of every
kind (`monev.reports.build.build`: revision rule, archive, audit, sending); each run is a
row of `audit.report_runs` (scope `SEMESTER:NASIONAL` / `SEMESTER:PP`, periode = the
semester's first month).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from monev import periods
from monev.reports import excel, names, render
from monev.reports import formatting as fmt
from monev.reports.build import Kind, ReportRun, build
from monev.reports.data import NATIONAL
from monev.reports.excel import safe_text
from monev.reports.semester import SemesterContent, build_semester_content, changes_between
from monev.reports.semester_data import SemesterData

log = logging.getLogger(__name__)

SCOPE_PREFIX = "SEMESTER:"
SECTIONS = [
    ("ringkasan", "Ringkasan"), ("proyeksi", "Lintasan dan Proyeksi Akhir Tahun"),
    ("anggaran", "Anggaran"), ("regulasi", "Regulasi Daerah"), ("ganda", "Pembiayaan Ganda"),
    ("data", "Data"), ("temuan", "Temuan dan Rekomendasi"), ("metodologi", "Catatan Metodologi"),
]


def audit_scope(scope: str) -> str:
    return SCOPE_PREFIX + scope


# --- rendering ------------------------------------------------------------------------
def _html(c: SemesterContent, revision: int, for_print: bool) -> str:
    national = c.scope == NATIONAL
    return render.html(
        "semester.html.j2", for_print,
        title=f"Laporan Semester Monev {c.scope_name} {c.semester.label}",
        c=c, h=c.headline, t=c.tables, charts=c.chart_uris, sections=SECTIONS,
        revision=revision,
        scope_title="Nasional" if national else f"Lampiran Provinsi {c.scope_name}",
        scope_code="00" if national else c.scope,
        covered=", ".join(fmt.month_name(m) for m in c.months),
        missing=", ".join(fmt.month_name(m) for m in c.missing),
        cutoff=fmt.long_date(periods.end(periods.of(c.periode))),
        generated=fmt.long_date(dt.date.today()),
    )


def write_html(c: SemesterContent, revision: int, path: Path) -> Path:
    path.write_text(_html(c, revision, for_print=False), encoding="utf-8")
    return path


def write_pdf(c: SemesterContent, revision: int, path: Path) -> Path:
    return render.pdf(_html(c, revision, for_print=True), path)


def write_excel(c: SemesterContent, revision: int, path: Path) -> Path:
    info = [
        ("Wilayah", safe_text(c.scope_name)), ("Semester", c.semester.label),
        ("Bulan yang dicakup", ", ".join(fmt.month_name(m) for m in c.months)),
        ("Bulan tanpa data", ", ".join(fmt.month_name(m) for m in c.missing) or "-"),
        ("Revisi", revision), ("Catatan", excel.NOTE), ("Aturan status", c.meta["rule_text"]),
    ]
    if c.meta.get("changes") is not None:
        info.append((f"Perubahan dari revisi {c.meta['previous']}",))
        info += [("", safe_text(line)) for line in c.meta["changes"]]
    return excel.workbook(path, "Laporan Semester Monev Jaminan Sosial Ketenagakerjaan", info,
                          c.tables.values(), (22, 90))


# --- the kind -------------------------------------------------------------------------
def _mail(data: SemesterData, scope_name: str) -> tuple[str, str]:
    label = data.semester.label
    return (f"Laporan Semester Monev Jamsostek {scope_name} {label}",
            f"laporan semester Monev jaminan sosial ketenagakerjaan {scope_name}, {label}")


SEMESTER = Kind(
    names.SEMESTER, SCOPE_PREFIX, "semester {key}", snapshot=SemesterData,
    content=lambda data, scope, changes, previous: build_semester_content(
        data, scope, changes=changes, previous_revision=previous),
    compare=changes_between, lines=list, writers=(write_pdf, write_excel, write_html),
    mail=_mail)


def build_semester(key: str, provinsi: str | None = None, out: Path | None = None,
                   send: bool = False, reissue: bool = False,
                   on_progress: Callable[[int, int], None] | None = None) -> list[ReportRun]:
    """The semester's national report and every province's annex (or one): see
    :func:`monev.reports.build.build`."""
    return build(SEMESTER, key, provinsi, out, send, reissue, on_progress)

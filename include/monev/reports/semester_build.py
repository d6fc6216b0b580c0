"""Build, archive, record and (optionally) send the semester report (Laporan Semester):
the national report and one annex per province, PDF + Excel + HTML, under
`<reports_dir>/semester-<YYYY-H>/` with a Parquet snapshot of the mart rows each was
built from. Same rules as the monthly sets (reports/build.py): every run is a row of
`audit.report_runs` (scope `SEMESTER:NASIONAL` / `SEMESTER:PP`, periode = the semester's
first month), a sent revision is never rebuilt unless `reissue=True`, which writes
revision N+1 (`…_revN`) stating what changed since the revision it replaces.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import logging
import multiprocessing
import time
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import jinja2
from openpyxl import Workbook
from openpyxl.styles import Font

from monev import periods
from monev.config import settings
from monev.periods import Semester
from monev.reports import delivery, staging
from monev.reports import formatting as fmt
from monev.reports.build import (
    ReportRun,
    _previous,
    _workers,
    deliver,
    finish,
    publish_whole,
    record_files,
)
from monev.reports.data import NATIONAL
from monev.reports.excel import safe_text, write_tables
from monev.reports.semester import SemesterContent, build_semester_content, changes_between
from monev.reports.semester_data import SemesterData
from monev.reports.withheld import SNAPSHOT_SUFFIX
from monev.warehouse import db

log = logging.getLogger(__name__)

SCOPE_PREFIX = "SEMESTER:"
SECTIONS = [
    ("ringkasan", "Ringkasan"), ("proyeksi", "Lintasan dan Proyeksi Akhir Tahun"),
    ("anggaran", "Anggaran"), ("regulasi", "Regulasi Daerah"), ("ganda", "Pembiayaan Ganda"),
    ("data", "Data"), ("temuan", "Temuan dan Rekomendasi"), ("metodologi", "Catatan Metodologi"),
]


def folder_name(semester: Semester) -> str:
    return f"semester-{semester.key}"


def stem(semester: Semester, scope: str, revision: int) -> str:
    slug = "nasional" if scope == NATIONAL else f"prov{scope}"
    return f"monev_semester_{slug}_{semester.key}" + (f"_rev{revision}" if revision > 1 else "")


def audit_scope(scope: str) -> str:
    return SCOPE_PREFIX + scope


# --- rendering ------------------------------------------------------------------------
@cache
def _env() -> tuple[jinja2.Template, str, str]:
    folder = resources.files("monev.reports") / "templates"
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return (env.from_string((folder / "semester.html.j2").read_text(encoding="utf-8")),
            (folder / "report.css").read_text(encoding="utf-8"),
            (folder / "print.css").read_text(encoding="utf-8"))


_F = SimpleNamespace(pct=fmt.pct, pp=fmt.pp, num=fmt.num, rp=fmt.rupiah,
                     month=fmt.month_name)


def _html(c: SemesterContent, revision: int, for_print: bool) -> str:
    template, css, print_css = _env()
    national = c.scope == NATIONAL
    return template.render(
        title=f"Laporan Semester Monev {c.scope_name} {c.semester.label}", for_print=for_print,
        css=css, print_css=print_css, c=c, h=c.headline, t=c.tables, f=_F,
        charts=c.chart_uris, sections=SECTIONS, revision=revision,
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
    import weasyprint

    weasyprint.HTML(string=_html(c, revision, for_print=True)).write_pdf(path)
    return path


def write_excel(c: SemesterContent, revision: int, path: Path) -> Path:
    wb = Workbook()
    info = wb.active
    info.title = "Info"
    for row in (
        ("Laporan Semester Monev Jaminan Sosial Ketenagakerjaan",),
        ("Wilayah", safe_text(c.scope_name)), ("Semester", c.semester.label),
        ("Bulan yang dicakup", ", ".join(fmt.month_name(m) for m in c.months)),
        ("Bulan tanpa data", ", ".join(fmt.month_name(m) for m in c.missing) or "-"),
        ("Revisi", revision),
        ("Catatan", "Sel kosong = data tidak tersedia (bukan nol). Persen dalam satuan persen."),
        ("Aturan status", c.meta["rule_text"]),
    ):
        info.append(list(row))
    if c.meta.get("changes") is not None:
        info.append([f"Perubahan dari revisi {c.meta['previous']}"])
        for line in c.meta["changes"]:
            info.append(["", safe_text(line)])
    info["A1"].font = Font(bold=True, size=13, color="0B3D6B")
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 90
    write_tables(wb, c.tables.values())
    wb.save(path)
    return path


# --- one scope ------------------------------------------------------------------------
def render_semester_scope(data: SemesterData, scope: str, revision: int, folder: Path,
                          previous: int = 0) -> dict:
    started = time.perf_counter()
    name = stem(data.semester, scope, revision)
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = folder / f"{name}{SNAPSHOT_SUFFIX}"
    data.write(snapshot)
    changes = None
    if previous:
        before = folder / f"{stem(data.semester, scope, previous)}{SNAPSHOT_SUFFIX}"
        if (before / "semester.txt").exists():
            changes = changes_between(SemesterData.read(before), data)
    content = build_semester_content(data, scope, changes=changes, previous_revision=previous)
    paths = [write_pdf(content, revision, folder / f"{name}.pdf"),
             write_excel(content, revision, folder / f"{name}.xlsx"),
             write_html(content, revision, folder / f"{name}.html")]
    files = record_files(paths, snapshot)
    return {"files": files, "snapshot": str(snapshot), "scope_name": content.scope_name,
            "seconds": time.perf_counter() - started, "changes": changes or [],
            "missing": [m.isoformat() for m in content.missing]}


# --- the set --------------------------------------------------------------------------
def build_semester(key: str, provinsi: str | None = None, out: Path | None = None,
                   send: bool = False, reissue: bool = False,
                   on_progress: Callable[[int, int], None] | None = None) -> list[ReportRun]:
    """Build the semester's national report and every province's annex (or one);
    `on_progress(done, total)` as each scope's documents are written."""
    semester = Semester.parse(key)
    root = Path(out or settings().reports_dir)
    with db.connect() as conn:
        if not conn.execute("SELECT to_regclass('marts.mart_monev_wilayah_bulanan')"
                            " IS NOT NULL").fetchone()[0]:
            raise ValueError("marts.mart_monev_wilayah_bulanan does not exist:"
                             " run `monev transform` first")
        data = SemesterData.load(conn, semester)
    months = data.months_with_data()
    if not months:
        raise ValueError(f"marts.mart_monev_wilayah_bulanan has no rows for {semester.label}")
    w = data.wilayah
    provinces = sorted(w.loc[(w["periode"] == months[-1]) & (w["tingkat"] == "PROVINSI"),
                             "kode_wilayah"].unique())
    if provinsi:
        code = provinsi.zfill(2)
        if code not in provinces:
            raise ValueError(f"province {code} has no rows for {semester.label}")
        scopes = [code]
    else:
        scopes = [NATIONAL, *provinces]

    runs: list[ReportRun] = []
    todo: list[ReportRun] = []
    # As the monthly build: one connection holds the lock of every row being built, the
    # sets render into a staging folder and the semester folder is swapped in whole.
    with db.connect(autocommit=True) as conn:
        staging.recover_interrupted(conn, root)
        for scope in scopes:
            sent, built = _previous(conn, semester.first, audit_scope(scope))
            if sent and not reissue:
                runs.append(ReportRun(semester.key, audit_scope(scope), sent, "skipped", message=(
                    f"semester {semester.key} {scope} sudah dikirim sebagai revisi {sent};"
                    " tidak dibuat ulang (gunakan --reissue untuk revisi baru)")))
                continue
            # A reissue replaces the latest revision built (sent or not), so it always
            # states what changed since the one before it.
            revision = max(sent, built) + 1 if (sent or reissue) and built else max(built, 1)
            previous = max(sent, built) if revision > 1 else 0
            run = ReportRun(semester.key, audit_scope(scope), revision, "building",
                            previous=previous)
            if previous:
                run.message = f"revisi {revision} menggantikan revisi {previous}"
            run.run_id = staging.start_run(conn, semester.first, audit_scope(scope), revision,
                                           run.message or None)
            todo.append(run)
            runs.append(run)
        if todo:
            try:
                _build_and_publish(conn, data, semester, todo, root, send, on_progress)
            finally:
                staging.release(conn, [r.run_id for r in todo if r.run_id is not None])
    from monev.reports import site

    site.write_site(root)
    return runs


def _build_and_publish(conn, data: SemesterData, semester: Semester, todo: list[ReportRun],
                       root: Path, send: bool,
                       on_progress: Callable[[int, int], None] | None) -> None:
    def scope_of(run: ReportRun) -> str:
        return run.scope.removeprefix(SCOPE_PREFIX)

    def note_missing(run: ReportRun, result: dict) -> None:
        if result["missing"]:
            gap = ", ".join(fmt.month_name(dt.date.fromisoformat(m)) for m in result["missing"])
            run.message = (run.message + "; " if run.message else "") + f"tanpa data: {gap}"

    results = publish_whole(
        # a semester's lock key (YYYYH) never equals a month's (YYYYMM)
        conn, todo, root, folder_name(semester), int(semester.key.replace("-", "")),
        stem_of=lambda r: stem(semester, scope_of(r), r.revision),
        render=lambda staged: _render_all(data, todo, staged, on_progress),
        key_of=scope_of, on_built=note_missing)
    recipients = delivery.load_recipients() if send else {}
    finish(conn, todo, send=(lambda r: _send(r, semester, results[scope_of(r)]["scope_name"],
                                             recipients.get(scope_of(r), []))) if send else None)


def _render_all(data: SemesterData, todo: list[ReportRun], folder: Path,
                on_progress: Callable[[int, int], None] | None) -> dict[str, object]:
    """Render every scope, in the monthly builder's worker pool (MONEV_REPORT_WORKERS)."""
    results: dict[str, object] = {}
    scopes = [(r.scope.removeprefix(SCOPE_PREFIX), r) for r in todo]

    def done() -> None:
        if on_progress:
            on_progress(len(results), len(todo))

    workers = _workers(len(todo))
    if workers == 1:
        for scope, run in scopes:
            try:
                results[scope] = render_semester_scope(data.for_scope(scope), scope,
                                                       run.revision, folder, run.previous)
            except Exception as exc:  # one bad scope must not stop the others
                results[scope] = exc
            done()
        return results
    import weasyprint  # noqa: F401  (imported once here, shared by the forked workers)

    ctx = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(render_semester_scope, data.for_scope(scope), scope,
                               run.revision, folder, run.previous): scope
                   for scope, run in scopes}
        for fut in cf.as_completed(futures):
            try:
                results[futures[fut]] = fut.result()
            except Exception as exc:
                results[futures[fut]] = exc
            done()
    return results


def _send(run: ReportRun, semester: Semester, scope_name: str, to: list[str]) -> None:
    deliver(run, to, f"Laporan Semester Monev Jamsostek {scope_name} {semester.label}",
            f"laporan semester Monev jaminan sosial ketenagakerjaan {scope_name},"
            f" {semester.label}")

"""HTML and PDF from a report kind's Jinja template (the PDF adds the print stylesheet):
`html` and `pdf` for every kind; the monthly report's context below."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2

from monev import periods
from monev.reports import findings
from monev.reports import formatting as fmt
from monev.reports.content import ReportContent
from monev.reports.data import NATIONAL
from monev.reports.sections import Table

SECTIONS = [
    ("ringkasan", "Ringkasan Eksekutif"), ("capaian", "Capaian Kepesertaan"),
    ("peringkat", "Peringkat Daerah"), ("rentan", "Perlindungan Non-ASN dan Pekerja Rentan"),
    ("anggaran", "Dukungan Anggaran APBD"), ("regulasi", "Regulasi Daerah"),
    ("keaktifan", "Kepesertaan Baru dan Keaktifan"), ("temuan", "Temuan dan Rekomendasi"),
    ("metodologi", "Catatan Metodologi"),
]
TOP_BOTTOM = 5


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("monev.reports", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined)


@cache
def _css() -> tuple[str, str]:
    folder = resources.files("monev.reports") / "templates"
    return ((folder / "report.css").read_text(encoding="utf-8"),
            (folder / "print.css").read_text(encoding="utf-8"))


# the formatting helpers every template calls as f.pct(...), f.month(...)
_F = SimpleNamespace(
    pct=fmt.pct, pp=fmt.pp, num=fmt.num, rp=fmt.rupiah, MISSING=fmt.MISSING,
    year=lambda v: fmt.MISSING if fmt.is_missing(v) else str(int(v)), month=fmt.month_name,
)


def html(template: str, for_print: bool, **context: Any) -> str:
    """A report kind's template rendered (templates/<template>), with the stylesheets
    (the print one for a PDF) and the formatting helpers."""
    css, print_css = _css()
    return _env().get_template(template).render(
        for_print=for_print, css=css, print_css=print_css, f=_F, **context)


@cache
def _fonts() -> Any:
    """One font configuration for every PDF of a process (WeasyPrint builds one per
    document otherwise, scanning the system's fonts each time)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def warm() -> None:
    """Load what every document needs, once (before the report workers fork)."""
    _env(), _css(), _fonts()
    for name in ("report.html.j2", "semester.html.j2"):
        _env().get_template(name)


def pdf(text: str, path: Path) -> Path:
    import weasyprint  # heavy import: only where a PDF is made

    weasyprint.HTML(string=text).write_pdf(path, font_config=_fonts())
    return path


def _html(content: ReportContent, revision: int, for_print: bool) -> str:
    national = content.scope == NATIONAL
    rank = content.tables["peringkat"]
    ranked = [r for r in rank.rows if r.get("peringkat") is not None]
    top = Table(rank.sheet, f"{TOP_BOTTOM} kab/kota teratas", rank.columns, ranked[:TOP_BOTTOM])
    bottom = Table(rank.sheet, f"{TOP_BOTTOM} kab/kota terbawah", rank.columns,
                   ranked[-TOP_BOTTOM:][::-1] if len(ranked) > TOP_BOTTOM else [])
    bulan = fmt.month_name(content.periode)
    return html(
        "report.html.j2", for_print,
        title=f"Laporan Monev {content.scope_name} {bulan}", scope_title="Nasional" if national else
        f"Provinsi {content.scope_name}",
        scope_name=content.scope_name,
        scope_code="00" if national else content.scope, bulan=bulan, periode=content.periode,
        revision=revision, cutoff=fmt.long_date(periods.end(periods.of(content.periode))),
        generated=fmt.long_date(dt.date.today()), sections=SECTIONS, h=content.headline,
        t=content.tables, charts=content.chart_uris, findings=content.findings,
        attention=content.attention, national=national, top=top, bottom=bottom,
        budget_available=content.budget_available, rentan_available=content.rentan_available,
        rules=findings.RULES, meta=content.meta,
    )


def write_html(content: ReportContent, revision: int, path: Path) -> Path:
    path.write_text(_html(content, revision, for_print=False), encoding="utf-8")
    return path


def write_pdf(content: ReportContent, revision: int, path: Path) -> Path:
    return pdf(_html(content, revision, for_print=True), path)

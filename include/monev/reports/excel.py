"""The Excel annex: every report table as real numbers, one sheet each.

Headers are frozen and filtered, numbers carry Indonesian-looking formats, and any text
that a spreadsheet could read as a formula is prefixed with a quote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from monev.reports import formatting as fmt
from monev.reports.content import ReportContent
from monev.reports.sections import NUMERIC, Column, Table

_FORMATS = {"int": "#,##0", "year": "0", "pct": '0.00"%"', "pp": '+0.00" pp";-0.00" pp"',
            "rp": '"Rp"#,##0'}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NOTE = "Sel kosong = data tidak tersedia (bukan nol). Persen dalam satuan persen."
_HEAD = PatternFill("solid", fgColor="0B3D6B")


def safe_text(value: str) -> str:
    """Neutralise formula injection: text starting with = + - @ tab CR gets a quote."""
    return "'" + value if value.startswith(_DANGEROUS) else value


def _cell_value(value: object, col: Column) -> object:
    if fmt.is_missing(value):
        return None if col.blank is None else col.blank  # an empty cell, never 0
    if col.kind == "bool":
        return "Ada" if value else "Belum ada"
    if col.kind in ("int", "year"):
        return int(value)  # type: ignore[call-overload]
    if col.kind in ("pct", "pp", "rp"):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, dt.date | dt.datetime):
        return value
    shown = col.show(value)  # text as the report prints it; "–" an empty cell
    return None if shown == fmt.MISSING else safe_text(shown)


def workbook(path: Path, title: str, info: Iterable[tuple], tables: Iterable[Table],
             widths: tuple[int, int]) -> Path:
    """The annex of any report kind: an Info sheet (`title`, then the `info` rows in
    columns A and B, `widths` wide), then one sheet per table."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Info"
    sheet.append([title])
    for row in info:
        sheet.append(list(row))
    sheet["A1"].font = Font(bold=True, size=13, color="0B3D6B")
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = widths
    write_tables(wb, tables)
    wb.save(path)
    return path


def write_excel(content: ReportContent, revision: int, path: Path) -> Path:
    return workbook(path, "Laporan Monev Jaminan Sosial Ketenagakerjaan", (
        ("Wilayah", safe_text(content.scope_name)), ("Periode", fmt.month_name(content.periode)),
        ("Revisi", revision), ("Catatan", NOTE)), content.tables.values(), (18, 80))


def write_tables(wb: Workbook, tables: Iterable[Table]) -> None:
    """One sheet per table."""
    for table in tables:
        ws = wb.create_sheet(table.sheet[:31])
        ws.append([c.header for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = _HEAD
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        for r in table.rows:
            ws.append([_cell_value(r.get(c.key), c) for c in table.columns])
        for i, col in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            number_format = _FORMATS.get(col.kind)
            if number_format:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = number_format
            ws.column_dimensions[letter].width = 16 if col.kind in (*NUMERIC, "bool") else 34
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(ws.max_row, 1)}"

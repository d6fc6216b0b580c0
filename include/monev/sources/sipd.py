"""SIPD/BPKAD xlsx exports: a title block of 1–6 rows, a header row whose first cell
is `tahun`, data, then maybe a TOTAL line and empty rows. Data rows are numbered from 1
under the header; blank rows and the TOTAL line are not counted."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from monev.sources.failures import Failures, check_columns
from monev.sources.limits import LimitExceeded, Meter
from monev.sources.tabular import Cell, Column, type_rows
from monev.sources.xlsxpackage import check_package

# The title block is 1–6 rows; look a little further before giving up on the header.
HEADER_SEARCH_ROWS = 30
# What a damaged workbook raises while its sheet is read: XML cut short (ParseError and
# lxml's XMLSyntaxError are SyntaxErrors), a broken zip member, cells openpyxl cannot type.
_BROKEN = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError,
           TypeError, OSError)


def _blank(v: Cell) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _is_total(v: Cell) -> bool:
    return isinstance(v, str) and v.strip().upper().startswith("TOTAL")


def parse_sheet(
    path: Path, *, sheet: str, columns: Sequence[Column], failures: Failures,
    batch_id: int, counter: list[int],
) -> Iterator[str]:
    meter = Meter.extract()
    try:
        # Every part's unpacked size, the shared strings and the worksheets' rows and
        # cells are checked on the packed file before openpyxl reads any of it.
        with zipfile.ZipFile(path) as zf:
            check_package(zf, meter)
        wb = load_workbook(path, read_only=True, data_only=True)
    except LimitExceeded as e:
        failures.add(e.rule, None, e.what)
        return
    except (InvalidFileException, *_BROKEN) as e:
        failures.add("file_unreadable", None, f"file cannot be read as xlsx ({type(e).__name__})")
        return
    try:
        yield from _sheet_rows(wb, sheet, columns, failures, batch_id, counter, meter)
    except LimitExceeded as e:
        failures.add(e.rule, None, e.what)
    except _BROKEN as e:
        failures.add("file_unreadable", None,
                     f"worksheet '{sheet}' cannot be read to the end ({type(e).__name__})")
    finally:
        wb.close()


def _metered(rows: Iterable[tuple[Cell, ...]], meter: Meter) -> Iterator[tuple[Cell, ...]]:
    """The worksheet's rows as openpyxl reads them, each counted (and its cells: a row is
    padded to the width the sheet claims) against the caps and the clock."""
    for cells in rows:
        meter.add_row(len(cells))
        yield cells


def _sheet_rows(
    wb: Workbook, sheet: str, columns: Sequence[Column], failures: Failures, batch_id: int,
    counter: list[int], meter: Meter,
) -> Iterator[str]:
    names = {n.lower(): n for n in wb.sheetnames}
    if sheet not in names:
        failures.add("sheet", None, f"no worksheet named '{sheet}'")
        return
    rows = enumerate(_metered(wb[names[sheet]].iter_rows(values_only=True), meter), start=1)
    header_no = 0
    header: list[str] = []
    for row_no, cells in rows:
        first = cells[0] if cells else None
        if isinstance(first, str) and first.strip().lower() == "tahun":
            header_no = row_no
            header = [("" if c is None else str(c)) for c in cells]
            break
        if row_no >= HEADER_SEARCH_ROWS:
            break
    if not header_no:
        failures.add("header", None,
                     f"no header row (first cell 'tahun') in the first "
                     f"{HEADER_SEARCH_ROWS} rows")
        return
    while header and not header[-1].strip():
        header.pop()
    positions = check_columns(failures, header, [c.name for c in columns])
    if positions is None:
        return
    name_pos = positions.get("nama_pemda")

    def data() -> Iterator[tuple[int, Sequence[Cell]]]:
        data_no = 0
        for _, cells in rows:
            if not cells or all(_blank(c) for c in cells):
                continue
            # The exporter's TOTAL line: in nama_pemda, or in a row without a year.
            if name_pos is not None and name_pos < len(cells) and _is_total(cells[name_pos]):
                continue
            if _is_total(cells[0]) or (_blank(cells[0]) and any(map(_is_total, cells))):
                continue
            data_no += 1
            yield data_no, cells

    yield from type_rows(data(), positions, columns, failures, batch_id, counter)

"""The caps on an xlsx, checked on the packed file before openpyxl reads any of it.

openpyxl reads some parts whole as it opens a workbook — the shared-strings table into a
list of Python strings, the styles, the manifest — and a worksheet one `<row>` element at
a time, each row built whole (and, with no `<dimension>` element, every sheet is parsed
once more just to size it). So what must be bounded is the unpacked size of every part,
the shared strings (entries and bytes), a worksheet's rows and cells and the size of one
row. All of it is known from the zip's directory and one streamed pass over the parts'
XML, counting tags in 1 MiB blocks: a zip bomb or a 20 M-entry strings table is refused
in the time it takes to inflate up to the cap, with memory for one block.

A zip member never inflates past the size its directory entry declares (zipfile stops
there and checks the CRC), so the declared sizes are a safe bound.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import fromstring

from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS

from monev.sources.limits import LimitExceeded, Meter

BLOCK = 1 << 20
# A worksheet row holds at most 16,384 cells (column XFD); one row's XML, like a CSV
# line, at most 1 MiB: openpyxl holds a row whole while it reads it.
MAX_ROW_CELLS = 16_384
MAX_ROW_BYTES = 1 << 20
# A part read whole (manifest, workbook, styles, theme, …), and a worksheet outside its
# `<sheetData>` (merged ranges, validations, formatting, each parsed whole): a SIPD
# export's are a few kB.
MAX_PART_BYTES = 16 << 20

# Tags, with or without a namespace prefix; `(?=[\s/>])` keeps <col>, <rowBreaks>, …
# apart. Text and attribute values cannot hold a literal '<', so a '<' starts a tag. The
# patterns start at '<' or at a prefix's ':' (a prefixed tag is checked against its '<'
# once found): trying a prefix at every '<' would cost more than the inflating.
_STRUCTURE = re.compile(rb"(?:</?|:)(row|sheetData)(?=[\s/>])")
_TAG_START = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")
_CELL = re.compile(rb"[<:]c(?=[\s/>])")  # ':c ' in text would count too: stricter, rare
_STRING = re.compile(rb"[<:]si(?=[\s/>])")
# Longest tag start a block boundary may cut: kept for the next block.
_TAIL = 64


def _blocks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, meter: Meter) -> Iterator[bytes]:
    """The part's XML in blocks that end before a tag start, so no tag is split; the
    clock is checked per block."""
    tail = b""
    with zf.open(info) as src:
        while block := src.read(BLOCK):
            meter.check_time()
            text = tail + block
            cut = text.rfind(b"<")
            if cut < 0 or len(text) - cut > _TAIL:
                cut = len(text)
            tail = text[cut:]
            yield text[:cut]
    if tail:
        yield tail


@dataclass
class _Totals:
    """Rows and cells of all the worksheets: openpyxl sizes every sheet as it opens the
    workbook, not only the one read."""

    rows: int = 0
    cells: int = 0


class _PartScan:
    """Rows, cells and sizes of one part, fed block by block."""

    def __init__(self, name: str, meter: Meter, totals: _Totals):
        self.name = name
        self.meter = meter
        self.totals = totals
        self.offset = 0  # of the current block in the part
        self.rows = 0  # of this part, to name the row
        self.row_start: int | None = None
        self.row_cells = 0
        self.data_start: int | None = None  # inside <sheetData> since
        self.data_bytes = 0

    def feed(self, text: bytes) -> None:
        last = 0
        for m in _STRUCTURE.finditer(text):
            start = m.start()
            if text[start] == 0x3A:  # ':' — a tag only if '<' or '</' and a prefix lead to it
                lt = text.rfind(b"<", max(0, start - _TAIL), start)
                prefixed = _TAG_START.fullmatch(text, lt, start + 1) if lt >= 0 else None
                if prefixed is None:
                    continue
                start, closing = lt, prefixed.group(1)
            else:
                closing = b"/" if text[start + 1] == 0x2F else b""
            tag = m.group(1)
            self._cells(text, last, start)
            last = m.end()
            at = self.offset + start
            if tag == b"row":
                self._end_row(at)
                if not closing:
                    self.row_start, self.row_cells = at, 0
                    self.rows += 1
                    self.totals.rows += 1
                    if self.totals.rows > self.meter.limits.lines:
                        raise LimitExceeded(
                            "too_many_lines", "the worksheets hold more than "
                            f"{self.meter.limits.lines:,} rows, the most a delivery may "
                            "(MONEV_MAX_FILE_LINES); refused before reading them")
            elif closing:
                self._end_row(at)
                if self.data_start is not None:
                    self.data_bytes += at - self.data_start
                    self.data_start = None
            elif not text[m.end():text.find(b">", m.end())].endswith(b"/"):
                self.data_start = at  # not <sheetData/>
        self._cells(text, last, len(text))
        self.offset += len(text)
        if self.row_start is not None:
            self._check_row(self.offset)
        inside = self.data_bytes + (self.offset - self.data_start
                                    if self.data_start is not None else 0)
        if self.offset - inside > MAX_PART_BYTES:
            raise LimitExceeded(
                "too_large", f"the part {self.name} holds more than {MAX_PART_BYTES:,} "
                "bytes of XML read whole (outside a worksheet's rows); refused before "
                "reading it")

    def _cells(self, text: bytes, start: int, end: int) -> None:
        if end <= start:
            return
        n = len(_CELL.findall(text, start, end))
        if not n:
            return
        self.totals.cells += n
        self.row_cells += n
        if self.totals.cells > self.meter.limits.cells:
            raise LimitExceeded(
                "too_many_cells", "the worksheets hold more than "
                f"{self.meter.limits.cells:,} cells, the most a delivery may "
                "(MONEV_MAX_XLSX_CELLS); refused before reading them")
        if self.row_cells > MAX_ROW_CELLS:
            raise LimitExceeded(
                "too_many_cells", f"row {self.rows:,} of a worksheet ({self.name}) holds "
                f"more than {MAX_ROW_CELLS:,} cells, the most a worksheet row can; refused "
                "before reading it")

    def _check_row(self, at: int) -> None:
        assert self.row_start is not None
        if at - self.row_start > MAX_ROW_BYTES:
            raise LimitExceeded(
                "too_large", f"row {self.rows:,} of a worksheet ({self.name}) is longer than "
                f"{MAX_ROW_BYTES:,} bytes of XML; refused before reading it")

    def _end_row(self, at: int) -> None:
        if self.row_start is not None:
            self._check_row(at)
            self.row_start = None


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, meter: Meter,
               totals: _Totals) -> None:
    scan = _PartScan(info.filename, meter, totals)
    for text in _blocks(zf, info, meter):
        scan.feed(text)


def _check_strings_size(info: zipfile.ZipInfo, meter: Meter) -> None:
    cap_bytes = meter.limits.shared_strings_bytes
    if info.file_size > cap_bytes:
        raise LimitExceeded(
            "too_many_strings", f"the shared-strings table unpacks to {info.file_size:,} "
            f"bytes, above the {cap_bytes:,} a delivery may hold "
            "(MONEV_MAX_SHARED_STRINGS_BYTES); refused before reading it")


def _scan_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, meter: Meter) -> None:
    cap = meter.limits.shared_strings
    count = 0
    for text in _blocks(zf, info, meter):
        count += len(_STRING.findall(text))
        if count > cap:
            raise LimitExceeded(
                "too_many_strings", f"the shared-strings table holds more than {cap:,} "
                "entries, the most a delivery may (MONEV_MAX_SHARED_STRINGS); refused "
                "before reading it")


def _shared_strings_part(zf: zipfile.ZipFile) -> str | None:
    """The part openpyxl will load as the shared strings: the one the manifest names."""
    manifest = Manifest.from_tree(fromstring(zf.read(ARC_CONTENT_TYPES)))
    part = manifest.find(SHARED_STRINGS)
    return part.PartName.lstrip("/") if part is not None else None


def check_package(zf: zipfile.ZipFile, meter: Meter) -> None:
    """Raise LimitExceeded if reading the workbook would pass a cap of `meter`: the
    declared sizes first (nothing inflated yet), then one streamed pass over the parts."""
    infos = zf.infolist()
    by_name = {i.filename: i for i in infos}
    manifest = by_name.get(ARC_CONTENT_TYPES)
    if manifest is None:
        raise KeyError(ARC_CONTENT_TYPES)  # not a workbook: openpyxl would say the same
    totals = _Totals()
    _scan_part(zf, manifest, meter, totals)  # it is read whole, to find the strings
    strings = by_name.get(_shared_strings_part(zf) or "")
    if strings is not None:
        _check_strings_size(strings, meter)
    unpacked = sum(i.file_size for i in infos)
    if unpacked > meter.limits.inflated_bytes:
        raise LimitExceeded(
            "too_large", f"the file unpacks to {unpacked:,} bytes, above the "
            f"{meter.limits.inflated_bytes:,} a delivery may (MONEV_MAX_FILE_BYTES); "
            "refused before reading it")
    for info in infos:
        if info is strings:
            _scan_strings(zf, info, meter)
        elif info is not manifest:
            _scan_part(zf, info, meter, totals)

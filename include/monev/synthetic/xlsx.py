"""Byte-reproducible xlsx writing in the SIPD export style (title block, header, data)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

FIXED_STAMP = datetime(2020, 1, 1)
_ZIP_STAMP = (1980, 1, 1, 0, 0, 0)


def write_sheet(
    path: Path, sheet: str, title: Sequence[str | None], header: Sequence[str],
    rows: Sequence[Sequence[object]], trailer: Sequence[Sequence[object]] = (),
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for line in title:
        # An empty append still advances the row: the blank separator SIPD leaves.
        ws.append([line] if line else [])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for r in trailer:
        ws.append(list(r))
    wb.properties.creator = "SIPD"
    wb.properties.created = FIXED_STAMP
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue()))
    return path


def _normalise_zip(data: bytes) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and every zip entry; pin both
    so the same data gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2020-01-01T00:00:00Z\g<2>",
                    content,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_STAMP)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()

"""Reading delimited text extracts: gzip, BOM, header check, row numbering."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from monev.sources.common import Failures, check_columns
from monev.sources.tabular import Column, type_rows

UNREADABLE = (UnicodeDecodeError, gzip.BadGzipFile, EOFError, zlib.error, csv.Error, OSError)


def open_text(path: Path, gzipped: bool) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if gzipped else open(path, "rb")  # noqa: SIM115
    # utf-8-sig drops a BOM if the sender left one.
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def parse_csv(
    path: Path, *, gzipped: bool, delimiter: str, columns: Sequence[Column],
    failures: Failures, batch_id: int, counter: list[int],
) -> Iterator[str]:
    """Header = row 1, data from row 2; blank lines are skipped but keep their number."""
    try:
        with open_text(path, gzipped) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                failures.add("file_unreadable", None, "file is empty (no header row)", rows=[1])
                return
            positions = check_columns(failures, header, [c.name for c in columns])
            if positions is None:
                return
            width = len(header)

            def rows() -> Iterator[tuple[int, list[str]]]:
                for row_no, cells in enumerate(reader, start=2):
                    if not cells or all(not c.strip() for c in cells):
                        continue
                    if len(cells) != width:
                        failures.add("field_count", None,
                                     f"row has {len(cells)} fields, header has {width}",
                                     rows=[row_no])
                        continue
                    yield row_no, cells

            yield from type_rows(rows(), positions, columns, failures, batch_id, counter)
    except UNREADABLE as e:
        failures.add("file_unreadable", None,
                     f"file cannot be read as {'gzip ' if gzipped else ''}UTF-8 CSV "
                     f"({type(e).__name__})")

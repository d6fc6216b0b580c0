"""Reading delimited text extracts: gzip, BOM, header check, row numbering, size caps."""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from monev.sources.failures import Failures, check_columns
from monev.sources.limits import LimitExceeded, Meter
from monev.sources.tabular import Column, type_rows

# No row of any extract comes near this; a longer line is a broken or hostile file, and
# reading it whole (a 1 MB gzip can hold a 1 GiB line) would exhaust memory.
MAX_LINE_BYTES = 1 << 20
# Blocks of the size scan (no larger than a line may be: see scan); lines between two
# looks at the clock while parsing.
SCAN_BLOCK = MAX_LINE_BYTES
CLOCK_EVERY = 4096


class LineTooLong(ValueError):
    pass


UNREADABLE = (UnicodeDecodeError, gzip.BadGzipFile, EOFError, zlib.error, csv.Error, OSError,
              LineTooLong)


def open_binary(path: Path, gzipped: bool) -> BinaryIO:
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def bounded_lines(binary: BinaryIO, limit: int = MAX_LINE_BYTES,
                  meter: Meter | None = None) -> Iterator[str]:
    """UTF-8 lines (endings kept, as csv wants them; a BOM dropped), never reading more
    than `limit` bytes for one line; `meter`'s deadline is checked every few thousand."""
    line_no = 0
    while True:
        line = binary.readline(limit + 1)
        if not line:
            return
        line_no += 1
        if meter is not None and not line_no % CLOCK_EVERY:
            meter.check_time()
        if len(line) > limit:
            raise LineTooLong(f"line {line_no} is longer than {limit:,} bytes")
        yield line.decode("utf-8-sig" if line_no == 1 else "utf-8")


def read_header(path: Path, gzipped: bool, delimiter: str) -> list[str] | None:
    with open_binary(path, gzipped) as fh:
        return next(csv.reader(bounded_lines(fh), delimiter=delimiter), None)


def scan(path: Path, gzipped: bool, meter: Meter) -> None:
    """Inflate the file once in blocks, counting bytes and lines against the caps, before
    anything is parsed: a file past a cap (2 GiB of blank lines in a 2 MB gzip, ten times
    the rows of a national delivery) is refused in the time it takes to inflate up to the
    cap — well under a second — instead of being parsed row by row. A line longer than
    MAX_LINE_BYTES is refused here too, as soon as it is seen. The small extracts only:
    the participant list counts its blocks as it parses them."""
    line_no = 1
    since_line_feed = 0  # bytes of the current line read so far
    with open_binary(path, gzipped) as fh:
        while block := fh.read(SCAN_BLOCK):
            first = block.find(b"\n")
            # A line inside one block is shorter than the block (SCAN_BLOCK = the limit).
            if since_line_feed + (len(block) if first < 0 else first) > MAX_LINE_BYTES:
                raise LineTooLong(f"line {line_no + meter.lines} is longer than "
                                  f"{MAX_LINE_BYTES:,} bytes")
            since_line_feed = (since_line_feed + len(block) if first < 0
                               else len(block) - block.rfind(b"\n") - 1)
            meter.add_block(block)


def limit_exceeded(failures: Failures, e: LimitExceeded) -> None:
    failures.add(e.rule, None, e.what)


def unreadable(failures: Failures, e: Exception, what: str) -> None:
    """Record why a file could not be read. The type and our own wording only: library
    messages may quote the file's bytes (personal data in a participant list)."""
    detail = str(e) if isinstance(e, LineTooLong) else type(e).__name__
    failures.add("file_unreadable", None, f"file cannot be read as {what} ({detail})")


def parse_csv(
    path: Path, *, gzipped: bool, delimiter: str, columns: Sequence[Column],
    failures: Failures, batch_id: int, counter: list[int],
) -> Iterator[str]:
    """Header first, then data rows numbered from 1; blank lines are skipped and not
    counted, so they never shift the numbers a message cites (they count toward the
    line cap)."""
    meter = Meter.extract()
    try:
        scan(path, gzipped, meter)
        with open_binary(path, gzipped) as fh:
            reader = csv.reader(bounded_lines(fh, meter=meter), delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                failures.add("file_unreadable", None, "file is empty (no header row)")
                return
            positions = check_columns(
                failures, header, [c.name for c in columns if not c.may_be_absent],
                [c.name for c in columns if c.may_be_absent])
            if positions is None:
                return
            width = len(header)

            def rows() -> Iterator[tuple[int, list[str]]]:
                row_no = 0
                for cells in reader:
                    if not cells or all(not c.strip() for c in cells):
                        continue
                    row_no += 1
                    if len(cells) != width:
                        failures.add("field_count", None,
                                     f"row has {len(cells)} fields, header has {width}",
                                     rows=[row_no])
                        continue
                    yield row_no, cells

            yield from type_rows(rows(), positions, columns, failures, batch_id, counter)
    except LimitExceeded as e:
        limit_exceeded(failures, e)
    except UNREADABLE as e:
        unreadable(failures, e, f"{'gzip ' if gzipped else ''}UTF-8 CSV")

"""Rows rendered for PostgreSQL's COPY, handed out in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence


class CopyBuffer:
    """Rows rendered as CSV for `COPY … (FORMAT csv)`, handed out in chunks so the
    server ingests while Python parses."""

    def __init__(self, chunk_bytes: int = 1 << 20):
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\n")
        self._chunk = chunk_bytes

    def add(self, row: Sequence[object]) -> str | None:
        self._writer.writerow(["" if v is None else v for v in row])
        if self._buf.tell() >= self._chunk:
            return self.flush()
        return None

    def flush(self) -> str | None:
        data = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return data or None

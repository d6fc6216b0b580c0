"""NIK → keyed pseudonym (HMAC-SHA256, hex), with one key source for every tool.

The same person must get the same `peserta_id` in every month and from the CLI, the
DAGs and the tests, so the key is looked up in one order:

1. environment variable ``MONEV_PSEUDONYM_KEY``;
2. inside Airflow, the Variable ``monev_pseudonym_key`` (Airflow's secrets backend);
3. ``<state_dir>/secrets/pseudonym.key``, generated once (mode 0600, git-ignored state).

Rotating the key changes every pseudonym: see README ("Pseudonym key").
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from monev.config import settings

# Byte → its two lower-case hex digits, as one little uint16 per byte.
_HEX_PAIRS = np.frombuffer(
    b"".join(f"{b:02x}".encode() for b in range(256)), dtype=np.uint16)

AIRFLOW_VARIABLE = "monev_pseudonym_key"
PSEUDONYM_COLUMN = "peserta_id"  # where a pseudonym is kept, in every table


def key_file() -> Path:
    return settings().state_dir / "secrets" / "pseudonym.key"


def _from_airflow() -> str | None:
    # Only when already running inside Airflow: importing it costs seconds elsewhere.
    if "airflow.sdk" not in sys.modules and "airflow" not in sys.modules:
        return None
    try:
        from airflow.sdk import Variable

        return Variable.get(AIRFLOW_VARIABLE, default=None)
    except Exception:  # no task context / no metadata DB: fall through to the local key
        return None


def _from_file() -> str:
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip()


def pseudonym_key() -> bytes:
    value = settings().pseudonym_key or _from_airflow() or _from_file()
    if not value:
        raise RuntimeError("pseudonym key is empty")
    return value.encode()


class Pseudonymizer:
    """HMAC-SHA256 with the inner and outer pad states computed once and copied per
    value: about 2.5× faster than hmac.digest on millions of NIKs."""

    def __init__(self, key: bytes | None = None):
        key = pseudonym_key() if key is None else key
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, nik: str | bytes) -> str:
        inner = self._inner.copy()
        inner.update(nik.encode() if isinstance(nik, str) else nik)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def hex_array(self, niks: pa.Array) -> pa.Array:
        """Pseudonyms of an Arrow string array as an Arrow string array (nulls stay null),
        hashing straight from Arrow's buffers: no Python str per value on either side."""
        niks = niks.cast(pa.large_string())
        n = len(niks)
        if n == 0:
            return pa.array([], pa.string())
        _, off_buf, data_buf = niks.buffers()
        offsets = np.frombuffer(off_buf, dtype=np.int64)[niks.offset: niks.offset + n + 1].tolist()
        data = data_buf.to_pybytes() if data_buf is not None else b""
        inner0, outer0 = self._inner, self._outer
        digests = []
        append = digests.append
        for i in range(n):
            inner = inner0.copy()
            inner.update(data[offsets[i]:offsets[i + 1]])
            outer = outer0.copy()
            outer.update(inner.digest())
            append(outer.digest())
        raw = np.frombuffer(b"".join(digests), dtype=np.uint8)
        hexed = _HEX_PAIRS[raw].tobytes()  # two ASCII hex digits per byte
        out = pa.StringArray.from_buffers(
            n, pa.py_buffer(np.arange(0, 64 * n + 1, 64, dtype=np.int32).tobytes()),
            pa.py_buffer(hexed))
        return pc.if_else(pc.is_null(niks), pa.scalar(None, pa.string()), out)

    def many(self, niks: Iterable[str | None]) -> list[str | None]:
        inner0, outer0 = self._inner, self._outer
        out: list[str | None] = []
        append = out.append
        for nik in niks:
            if nik is None:
                append(None)
                continue
            inner = inner0.copy()
            inner.update(nik.encode())
            outer = outer0.copy()
            outer.update(inner.digest())
            append(outer.hexdigest())
        return out

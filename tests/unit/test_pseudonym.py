"""The vectorised pseudonym is RFC 2104 HMAC-SHA256, byte for byte the stdlib's: keys
shorter than, as long as and longer than a SHA-256 block, values across the padding
boundaries, text that a BLOB cast would read as escapes, nulls and sliced arrays."""

from __future__ import annotations

import hmac

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from monev.sources.pseudonym import Pseudonymizer


def _reference(key: bytes, value: str | None) -> str | None:
    return None if value is None else hmac.new(key, value.encode(), "sha256").hexdigest()


def test_block_and_padding_boundaries() -> None:
    values = ["x" * n for n in (0, 1, 16, 55, 56, 57, 63, 64, 65, 119, 120, 300)]
    values += ["3273014503900001", "\\x41", "a\\\\b", "é€", None]
    for key_len in (0, 1, 32, 63, 64, 65, 150):
        key = bytes(range(key_len % 256))[:key_len] or b""
        got = Pseudonymizer(key).hex_array(pa.array(values, pa.string())).to_pylist()
        assert got == [_reference(key, v) for v in values], key_len


@settings(max_examples=100, deadline=None)
@given(key=st.binary(min_size=1, max_size=100),
       niks=st.lists(st.one_of(st.none(), st.text(max_size=80)), min_size=1, max_size=30),
       start=st.integers(0, 5))
def test_array_equals_one_by_one(key: bytes, niks: list[str | None], start: int) -> None:
    p = Pseudonymizer(key)
    arr = pa.array(niks, pa.string()).slice(min(start, len(niks) - 1))
    got = p.hex_array(arr)
    assert got.type == pa.string()
    assert got.to_pylist() == [_reference(key, v) for v in arr.to_pylist()]
    assert got.to_pylist() == [None if v is None else p(v) for v in arr.to_pylist()]


def test_order_kept_across_datafusion_batches() -> None:
    """A block is ~130 k NIKs, many of DataFusion's 8 192-row batches: the digests must
    still come back in row order."""
    key = b"urutan"
    niks = [f"{3200000000000000 + i * 7919:016d}" for i in range(300_000)]
    got = Pseudonymizer(key).hex_array(pa.array(niks)).to_pylist()
    assert len(got) == len(niks)
    for i in [*range(0, len(niks), 997), len(niks) - 1]:
        assert got[i] == _reference(key, niks[i]), i


def test_empty_array() -> None:
    got = Pseudonymizer(b"k").hex_array(pa.array([], pa.string()))
    assert got.type == pa.string() and len(got) == 0

"""The parser's duplicate-grain candidates (sources/profile.py) hash the pseudonym read
straight off its string buffers: the words must be the rows' own (offset followed, any
other length refused), equal grains must meet and different ones must not."""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pyarrow as pa

from monev.sources.profile import BatchProfile, _hex_words

GRAIN = ("periode", "peserta_id", "sumber_iuran", "kode_pemda_pembayar")


def _block(ids: list[str], start: int) -> pa.Table:
    n = len(ids)
    return pa.table({
        "periode": pa.array([date(2024, 3, 1)] * n, pa.date32()),
        "peserta_id": pa.array(ids, pa.string()),
        "sumber_iuran": pa.array(["APBD_KABKOTA"] * n),
        "kode_pemda_pembayar": pa.array(["32.73"] * n),
        "iuran_rp": pa.array([16_800] * n, pa.int64()),
        "source_row": pa.array(range(start, start + n), pa.int32()),
    })


def _ids(n: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


def test_words_are_the_rows_own_bytes() -> None:
    ids = _ids(12)
    sliced = pa.array(ids).slice(4)  # starts at offset 4 of its buffers
    words = _hex_words(sliced)
    assert words is not None
    expected = np.frombuffer("".join(ids[4:]).encode(), np.uint64).reshape(8, 8)
    assert (words == expected).all()
    assert _hex_words(pa.array([*ids[:3], ids[3][:63]])) is None  # not all 64 long
    assert _hex_words(pa.array([*ids[:3], None])) is None


def test_equal_grains_are_candidates() -> None:
    ids = _ids(12)
    ids[9] = ids[5]  # source rows 10 and 6 share their grain
    profile = BatchProfile(("iuran_rp",), GRAIN)
    profile.add(_block(ids, 1))
    assert profile.grain_candidates() == [6, 10]


def test_different_grains_are_not_candidates() -> None:
    profile = BatchProfile(("iuran_rp",), GRAIN)
    profile.add(_block(_ids(50), 1))
    assert profile.grain_candidates() == []

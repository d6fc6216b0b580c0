"""The NIK flags, read off the string buffers with numpy, against a plain reading of
the contract: 16 ASCII digits PPKKCC DDMMYY SSSS, DD+40 for women, the century that puts
the date on or before the period."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monev.sources.peserta_rentan import nik_flags


def _reference(nik: str | None, periode: date) -> tuple:
    if nik is None or len(nik) != 16 or not all("0" <= c <= "9" for c in nik):
        return (False, None, None, None)
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = dd > 40
    day = dd - 40 if female else dd
    year = 2000 + yy if (2000 + yy, mm, day) <= (periode.year, periode.month, 31) else 1900 + yy
    try:
        born = date(year, mm, day)
    except ValueError:
        return (False, None, None, f"{nik[:2]}.{nik[2:4]}")
    return (True, born, female, f"{nik[:2]}.{nik[2:4]}")


_NIK_LIKE = st.one_of(
    # well-formed: region, kecamatan, a drawn date (women +40), serial
    st.builds(lambda r, d, f, s: f"{r:06d}{d.day + 40 * f:02d}{d:%m%y}{s:04d}",
              st.integers(0, 999_999), st.dates(date(1900, 1, 1), date(2099, 12, 31)),
              st.booleans(), st.integers(0, 9999)),
    st.text(alphabet="0123456789", min_size=14, max_size=18),  # any digits, any length
    st.text(alphabet="0123456789٣ ./:-aé", min_size=15, max_size=17),
    st.none(),
)


@given(niks=st.lists(_NIK_LIKE, min_size=1, max_size=40),
       periode=st.dates(date(2000, 1, 1), date(2099, 12, 1)).map(lambda d: d.replace(day=1)),
       start=st.integers(0, 3))
def test_flags_match_the_contract(niks: list[str | None], periode: date, start: int) -> None:
    arr = pa.array(niks, pa.string()).slice(min(start, len(niks) - 1))
    got = nik_flags(arr, periode)
    rows = list(zip(*(got[k].to_pylist() for k in
                      ("nik_valid", "embedded_date", "embedded_female", "nik_kode_wilayah")),
                    strict=True))
    assert rows == [_reference(v, periode) for v in arr.to_pylist()]


@pytest.mark.parametrize(("nik", "expected"), [
    # born on the last day of the period's month: still this century
    ("3273013101240001", (True, date(2024, 1, 31), False, "32.73")),
    ("3273014102240001", (True, date(1924, 2, 1), True, "32.73")),  # after it: the last
    ("327301310124000:", (False, None, None, None)),  # ':' is the byte after '9'
    ("327301310124000/", (False, None, None, None)),  # '/' the one before '0'
    ("32730131012400011", (False, None, None, None)),
])
def test_boundaries(nik: str, expected: tuple) -> None:
    assert _reference(nik, date(2024, 1, 1)) == expected
    got = nik_flags(pa.array([nik]), date(2024, 1, 1))
    assert tuple(got[k][0].as_py() for k in
                 ("nik_valid", "embedded_date", "embedded_female", "nik_kode_wilayah")) == expected


def test_empty_block() -> None:
    got = nik_flags(pa.array([], pa.string()), date(2024, 1, 1))
    assert all(len(v) == 0 for v in got.values())

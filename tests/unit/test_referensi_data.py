"""The shipped region reference data and its helpers."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from monev.referensi.regions import canonical_region_code, data_path, load_regions


def _rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with data_path(name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_region_counts_match_kepmendagri_2025() -> None:
    regions = load_regions()
    counts = Counter(r.tingkat for r in regions)
    assert counts == {"PROVINSI": 38, "KABUPATEN": 416, "KOTA": 98}
    assert len(regions) == 38 + 514


def test_region_codes_unique_and_consistent() -> None:
    header, _ = _rows("wilayah.csv")
    assert header == ["kode", "kode_tanpa_titik", "nama", "tingkat", "kode_provinsi"]
    regions = load_regions()
    assert len({r.kode for r in regions}) == len(regions)
    assert len({r.kode_tanpa_titik for r in regions}) == len(regions)
    provinces = {r.kode for r in regions if r.tingkat == "PROVINSI"}
    for r in regions:
        assert canonical_region_code(r.kode) == r.kode
        assert r.kode.replace(".", "") == r.kode_tanpa_titik
        assert r.nama == r.nama.upper() and r.nama
        if r.tingkat == "PROVINSI":
            assert r.kode_provinsi == r.kode and len(r.kode) == 2
        else:
            assert r.kode_provinsi == r.kode[:2] and r.kode_provinsi in provinces
            kk = int(r.kode[3:])
            assert (r.tingkat == "KABUPATEN") == (1 <= kk <= 69)
            assert (r.tingkat == "KOTA") == (71 <= kk <= 99)


def test_code_changes_point_to_current_codes() -> None:
    header, rows = _rows("wilayah_perubahan.csv")
    assert header == ["kode_lama", "kode_baru", "berlaku_mulai", "dasar_hukum"]
    current = {r.kode for r in load_regions()}
    assert len(rows) == 26
    assert len({r["kode_lama"] for r in rows}) == len(rows)
    for row in rows:
        assert row["kode_baru"] in current
        assert row["kode_lama"] not in current
        assert canonical_region_code(row["kode_lama"]) == row["kode_lama"]
        assert row["kode_lama"][:2] in {"91", "92"}
        assert row["kode_baru"][:2] in {"93", "94", "95", "96"}
    # every regency of the four new provinces has its pre-split code
    new = {r.kode for r in load_regions() if r.kode_provinsi in {"93", "94", "95", "96"}}
    new -= {"93", "94", "95", "96"}
    assert new == {row["kode_baru"] for row in rows}


def test_bps_bridge_refers_to_current_codes() -> None:
    header, rows = _rows("wilayah_bps.csv")
    assert header == ["kode_kemendagri", "kode_bps", "nama"]
    by_code = {r.kode: r for r in load_regions()}
    assert len({r["kode_kemendagri"] for r in rows}) == len(rows)
    assert len({r["kode_bps"] for r in rows}) == len(rows)
    for row in rows:
        region = by_code[row["kode_kemendagri"]]
        assert row["nama"] == region.nama
        assert row["kode_bps"] != region.kode_tanpa_titik
        assert row["kode_bps"].isdigit() and len(row["kode_bps"]) == len(region.kode_tanpa_titik)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11", "11"),
        ("11.01", "11.01"),
        ("1101", "11.01"),
        (" 94.71 ", "94.71"),
        ("94 71", "94.71"),
        ("9\t471", "94.71"),
        ("", None),
        ("1", None),
        ("110", None),
        ("11.1", None),
        ("11..01", None),
        ("11.01.01", None),
        ("110101", None),
        ("1a01", None),
        ("11-01", None),
        ("١١", None),
    ],
)
def test_canonical_region_code(raw: str, expected: str | None) -> None:
    assert canonical_region_code(raw) == expected

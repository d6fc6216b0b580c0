"""Denominators delivered with BPS codes (EXTRACTS.md §5, `skema_kode`), end to end:
ingest → gate → dbt → mart. BPS 94.03 is Kabupaten Jayapura (Kemendagri 91.03), while
Kemendagri 94.03 is Paniai: a BPS row must be translated, a Kemendagri row with the
same code must not, and a BPS code absent from the bridge is the same in both schemes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from transform_support import build_ok, ingest, kepesertaan_file, module_warehouse

ROWS = [("91.03", "PU", "UMUM", "PEMBERI_KERJA", 500, 400),
        ("94.03", "PU", "UMUM", "PEMBERI_KERJA", 300, 200),
        ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 900, 800)]


def _penduduk(folder: Path, lines: list[str], header: str) -> Path:
    path = folder / "referensi" / "penduduk_bekerja.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def wh(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
       ) -> Iterator[tuple[str, Path]]:
    state = tmp_path_factory.mktemp("state")
    with module_warehouse(server_url, template_db, state) as url:
        yield url, state


def _denominators(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT kode_wilayah, penduduk_bekerja FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = '2024-03-01' AND kode_wilayah IN ('91.03', '94.03', '62.01')"
        ).fetchall())


def test_bps_rows_are_translated_and_kemendagri_rows_never(wh: tuple[str, Path]) -> None:
    url, state = wh
    ingest([
        _penduduk(state / "a", [
            "2024,9403,1000,BRS test,BPS",        # BPS Jayapura, dot dropped -> 91.03
            "2024,94.03,2000,BRS test,KEMENDAGRI",  # Paniai: never translated
            "2024,62.01,3000,BRS test,bps",       # not in the bridge: same code
        ], "tahun,kode_wilayah,penduduk_bekerja,sumber,skema_kode"),
        kepesertaan_file(state / "a", "202403", ROWS),
    ])
    build_ok()
    assert _denominators(url) == {"91.03": 1000, "94.03": 2000, "62.01": 3000}
    with psycopg.connect(url) as conn:
        fct = conn.execute(
            "SELECT kode_wilayah_asal, skema_kode, kode_wilayah FROM marts.fct_penduduk_bekerja"
            " ORDER BY penduduk_bekerja").fetchall()
    assert fct == [("94.03", "BPS", "91.03"), ("94.03", "KEMENDAGRI", "94.03"),
                   ("62.01", "BPS", "62.01")]


def test_a_file_without_the_column_is_kemendagri(wh: tuple[str, Path]) -> None:
    url, state = wh
    ingest([_penduduk(state / "b", ["2024,94.03,2500,BRS test", "2024,91.03,1500,BRS test"],
                      "tahun,kode_wilayah,penduduk_bekerja,sumber")])
    build_ok(select=["+fct_penduduk_bekerja"])
    with psycopg.connect(url) as conn:
        fct = conn.execute(
            "SELECT kode_wilayah, skema_kode, penduduk_bekerja FROM marts.fct_penduduk_bekerja"
            " ORDER BY kode_wilayah").fetchall()
    assert fct == [("91.03", "KEMENDAGRI", 1500), ("94.03", "KEMENDAGRI", 2500)]


def test_a_bps_code_that_translates_to_nothing_known_is_rejected(wh: tuple[str, Path]) -> None:
    from monev.ingest.pipeline import ingest_paths

    _, state = wh
    [result] = ingest_paths([_penduduk(state / "c", ["2024,99.77,10,x,BPS"],
                                       "tahun,kode_wilayah,penduduk_bekerja,sumber,skema_kode")])
    assert result.status == "rejected"
    assert [(e.rule, e.rows) for e in result.errors] == [
        ("penduduk_bekerja.kode_wilayah_valid", [1])]

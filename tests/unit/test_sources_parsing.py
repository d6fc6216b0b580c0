"""Every tolerated variation of the contract is accepted and typed to the canonical
form; values are stored as delivered (semantic rules are the gate's)."""

from __future__ import annotations

import hmac
from decimal import Decimal
from pathlib import Path

import pytest
from extract_writers import (
    ANGGARAN_HEADER,
    KEPESERTAAN_HEADER,
    REALISASI_HEADER,
    anggaran_row,
    kepesertaan_row,
    nik,
    rentan_row,
    write_csv,
    write_rentan,
    write_sipd,
)

from monev.sources import values
from monev.sources.kepesertaan import SPEC as KEP_SPEC
from monev.sources.parsing import parse_local
from monev.sources.peserta_rentan import COLUMNS as RENTAN_COLS
from monev.sources.pseudonym import Pseudonymizer
from monev.sources.values import ValueProblem

KEP_COLS = KEP_SPEC.columns


def _as_dicts(rows: list[list[str]], columns: list[str]) -> list[dict[str, str]]:
    return [dict(zip(columns, r, strict=True)) for r in rows]


def test_kepesertaan_variations_bom_spaces_case_dotless_empty_projects(tmp_path: Path) -> None:
    rows = [
        kepesertaan_row(kode_wilayah=" 3273 ", segmen="jakon ", kategori_pekerja="Umum",
                        sumber_iuran=" mandiri", jumlah_proyek="", tk_aktif=" 80 "),
        kepesertaan_row(segmen="BPU", jumlah_proyek="7", tk_baru=-3),  # gate rejects negatives
    ]
    path = write_csv(tmp_path / "kepesertaan_202403.csv", KEPESERTAAN_HEADER, rows, bom=True)
    typed, failures = parse_local(path)
    assert failures == []
    first, second = _as_dicts(typed, KEP_COLS)
    assert first["periode"] == "2024-03-01"
    assert (first["kode_wilayah"], first["segmen"], first["kategori_pekerja"],
            first["sumber_iuran"]) == ("32.73", "JAKON", "UMUM", "MANDIRI")
    assert first["jumlah_proyek"] == "" and first["tk_aktif"] == "80"
    assert (second["jumlah_proyek"], second["tk_baru"]) == ("7", "-3")
    assert [r["source_row"] for r in (first, second)] == ["1", "2"]


def test_kepesertaan_columns_in_any_order_and_gzip(tmp_path: Path) -> None:
    header = list(reversed(KEPESERTAAN_HEADER))
    path = write_csv(tmp_path / "kepesertaan_202403_rev1.csv.gz", header, [kepesertaan_row()],
                     gz=True)
    typed, failures = parse_local(path)
    assert failures == []
    assert _as_dicts(typed, KEP_COLS)[0]["iuran_rp"] == "1000000"


@pytest.mark.parametrize("title_rows", [1, 2, 3, 4, 5, 6])
def test_sipd_title_block_heights(tmp_path: Path, title_rows: int) -> None:
    path = write_sipd(tmp_path / "anggaran_2024_murni.xlsx", "anggaran", ANGGARAN_HEADER,
                      [anggaran_row(), anggaran_row(sasaran="non_asn")], title_rows=title_rows)
    typed, failures = parse_local(path)
    assert failures == []
    # data rows are numbered from the header down, whatever the title block's height
    assert [r[-1] for r in typed] == ["1", "2"]
    assert typed[1][10] == "NON_ASN"


def test_sipd_text_numbers_numeric_cells_total_and_empty_rows(tmp_path: Path) -> None:
    rows = [
        anggaran_row(pagu_rp="1.234.567,00", target_peserta="1.000"),
        anggaran_row(pagu_rp=201600000.5, kode_pemda="32", sasaran="RT_RW"),
        anggaran_row(pagu_rp="16.800", kode_rekening="5.1.02.02.02.0007"),
    ]
    trailer = [[None] * 13, [None, None, None, "TOTAL", None, None, None, None, None, None,
                             None, 2000, 1_436_167.5], [None] * 13]
    path = write_sipd(tmp_path / "anggaran_2024_murni.xlsx", "anggaran", ANGGARAN_HEADER,
                      rows, title_rows=4, trailer=trailer)
    typed, failures = parse_local(path)
    assert failures == []
    assert [r[12] for r in typed] == ["1234567.00", "201600000.5", "16800"]
    assert [r[11] for r in typed] == ["1000", "1000", "1000"]
    assert typed[1][2] == "32"


def test_realisasi_sheet(tmp_path: Path) -> None:
    rows = [[2024, 3, "3273", "2.07.02.1.01.0005", "5.1.02.02.02.0006", "pekerja_rentan",
             "50.400.000,00", 1000]]
    path = write_sipd(tmp_path / "realisasi_202403.xlsx", "realisasi", REALISASI_HEADER, rows,
                      title_rows=2, trailer=[["TOTAL", None, None, None, None, None, 1, 1]])
    typed, failures = parse_local(path)
    assert failures == []
    assert typed == [["2024", "3", "32.73", "2.07.02.1.01.0005", "5.1.02.02.02.0006",
                      "PEKERJA_RENTAN", "50400000.00", "1000", "0", "1"]]


def test_reference_file_accepts_nation_province_and_kabkota(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penduduk_bekerja.csv",
                     ["tahun", "kode_wilayah", "penduduk_bekerja", "sumber"],
                     [[2024, "00", 142_180_000, "BRS 2024"], [2024, "32", 24_000_000, ""],
                      [2024, "3273", 1_300_000, "BPS"]], delimiter=",")
    typed, failures = parse_local(path)
    assert failures == []
    assert [r[1] for r in typed] == ["00", "32", "32.73"]


def test_peserta_rentan_pseudonymised_and_flagged(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "test-key")
    woman = nik(born="1985-12-31", female=True, serial=7)
    young = nik(kecamatan="917101", born="2005-01-15", serial=2)  # 05 → 2005, not 1905
    rows = [
        rentan_row(nik=woman, jenis_kelamin="p", tanggal_lahir="1985-12-31",
                   kode_wilayah_domisili="3273", kode_pemda_pembayar="32",
                   sumber_iuran="apbd_provinsi"),
        rentan_row(nik=young, tanggal_lahir="2005-01-16", jenis_kelamin="P",
                   sumber_iuran="CSR", kode_pemda_pembayar=""),
        rentan_row(nik="32730131029", tanggal_lahir="1990-02-03"),  # short NIK
        rentan_row(nik=nik(born="1990-02-30")),  # impossible embedded date
    ]
    path = write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", rows)
    typed, failures = parse_local(path)
    assert failures == []
    r = _as_dicts(typed, RENTAN_COLS)
    expected = hmac.new(b"test-key", woman.encode(), "sha256").hexdigest()
    assert r[0]["peserta_id"] == expected == Pseudonymizer(b"test-key")(woman)
    assert (r[0]["nik_valid"], r[0]["nik_tanggal_cocok"], r[0]["nik_kelamin_cocok"],
            r[0]["nik_kode_wilayah"]) == ("true", "true", "true", "32.73")
    assert (r[0]["jenis_kelamin"], r[0]["tahun_lahir"], r[0]["kode_wilayah_domisili"],
            r[0]["kode_pemda_pembayar"], r[0]["sumber_iuran"]) == (
        "P", "1985", "32.73", "32", "APBD_PROVINSI")
    assert (r[1]["nik_valid"], r[1]["nik_tanggal_cocok"], r[1]["nik_kelamin_cocok"],
            r[1]["nik_kode_wilayah"], r[1]["kode_pemda_pembayar"]) == (
        "true", "false", "false", "91.71", "")
    assert (r[2]["nik_valid"], r[2]["nik_tanggal_cocok"], r[2]["nik_kode_wilayah"]) == (
        "false", "", "")
    assert r[3]["nik_valid"] == "false" and r[3]["nik_kode_wilayah"] == "32.73"
    flat = "\n".join(",".join(x) for x in typed)
    for row in rows:
        assert row["nik"] not in flat and row["tanggal_lahir"] not in flat
    assert "SITI" not in flat


def test_peserta_rentan_century_is_the_one_before_the_period(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "k")
    # Born 2024-05-01 but billed 2024-03: the 2000s date is after the period → 1924.
    rows = [rentan_row(nik=nik(born="2024-05-01"), tanggal_lahir="1924-05-01")]
    typed, _ = parse_local(write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", rows))
    r = _as_dicts(typed, RENTAN_COLS)[0]
    assert (r["nik_valid"], r["nik_tanggal_cocok"]) == ("true", "true")


def test_pseudonym_key_generated_once_private(tmp_path: Path, monkeypatch) -> None:
    from monev.config import reset_settings
    from monev.sources import pseudonym

    monkeypatch.delenv("MONEV_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("MONEV_STATE_DIR", str(tmp_path / "state"))
    reset_settings()
    try:
        first = pseudonym.pseudonym_key()
        assert pseudonym.pseudonym_key() == first and len(first) == 64
        assert pseudonym.key_file().stat().st_mode & 0o777 == 0o600
        assert Pseudonymizer()("3273014503900001") == Pseudonymizer(first)("3273014503900001")
    finally:
        reset_settings()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("52.150", Decimal("52.150")), ("52,15", Decimal("52.15")), ("32.15%", Decimal("32.15")),
     ("40", Decimal("40"))],
)
def test_percent_reads_a_single_dot_as_the_decimal_point(raw: str, expected: Decimal) -> None:
    # Reference targets are machine-written with a decimal point; reading '52.150' with
    # the money rule (dot = thousands) would turn a 52,15 % target into 52150 %.
    assert values.percent(raw) == expected


@pytest.mark.parametrize("raw", ["1.234.567", "abc", ""])
def test_percent_rejects_thousands_separators_and_text(raw: str) -> None:
    with pytest.raises(ValueProblem):
        values.percent(raw)

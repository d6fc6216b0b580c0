"""Every parse-level contract violation is reported with its stable rule id and the
rows as the sender sees them (CSV header = row 1, xlsx worksheet row), and no
personal value ever appears in a failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from extract_writers import (
    ANGGARAN_HEADER,
    KEPESERTAAN_HEADER,
    RENTAN_HEADER,
    anggaran_row,
    kepesertaan_row,
    rentan_row,
    write_csv,
    write_rentan,
    write_sipd,
)

from monev.sources.parsing import parse_local


def _rules(failures) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for f in failures:
        assert f.severity == "error"
        out.setdefault(f.rule, []).extend(f.rows)
    return out


KEP_CASES = [
    ("kepesertaan.number_format", {"tk_aktif": "12a"}, 2),
    ("kepesertaan.number_format", {"iuran_rp": "1,5"}, 2),
    ("kepesertaan.date_format", {"periode": "2024/03"}, 2),
    ("kepesertaan.enum", {"segmen": "PNS"}, 2),
    ("kepesertaan.enum", {"sumber_iuran": "APBD"}, 2),
    ("kepesertaan.region_code", {"kode_wilayah": "32.7"}, 2),
    ("kepesertaan.region_code", {"kode_wilayah": "32"}, 2),  # a province where PP.KK belongs
    ("kepesertaan.required", {"tk_terdaftar": ""}, 2),
    ("kepesertaan.required", {"segmen": " "}, 2),
]


@pytest.mark.parametrize(("rule", "bad", "row"), KEP_CASES)
def test_kepesertaan_value_violations(tmp_path: Path, rule: str, bad: dict, row: int) -> None:
    rows = [kepesertaan_row(), kepesertaan_row(**{"segmen": "BPU", **bad}),
            kepesertaan_row(segmen="PMI")]
    path = write_csv(tmp_path / "kepesertaan_202403.csv", KEPESERTAAN_HEADER, rows)
    typed, failures = parse_local(path)
    assert _rules(failures) == {rule: [row]}
    assert len(typed) == 2  # the good rows are still typed; the file is rejected as a whole
    assert "kepesertaan_202403.csv" in failures[0].message and "column" in failures[0].message


def test_all_failures_of_a_file_are_collected_and_counted(tmp_path: Path) -> None:
    rows = [kepesertaan_row(tk_baru="x", segmen=s) for s in ("PU", "BPU", "JAKON", "PMI")]
    rows.append(kepesertaan_row(segmen="??"))
    path = write_csv(tmp_path / "kepesertaan_202403.csv", KEPESERTAAN_HEADER, rows)
    _, failures = parse_local(path)
    by_rule = {f.rule: f for f in failures}
    assert by_rule["kepesertaan.number_format"].rows == [1, 2, 3, 4]
    assert by_rule["kepesertaan.number_format"].row_count == 4
    assert by_rule["kepesertaan.enum"].rows == [5]


@pytest.mark.parametrize(
    "header",
    [
        [h for h in KEPESERTAAN_HEADER if h != "tk_aktif"],  # missing
        [*KEPESERTAAN_HEADER, "keterangan"],  # extra
        [("tk_terdaftar" if h == "tk_aktif" else h) for h in KEPESERTAAN_HEADER],  # repeated
    ],
)
def test_column_set_violations(tmp_path: Path, header: list[str]) -> None:
    path = write_csv(tmp_path / "kepesertaan_202403.csv", header, [kepesertaan_row()])
    typed, failures = parse_local(path)
    assert _rules(failures) == {"kepesertaan.columns": []} and typed == []


def test_unreadable_files(tmp_path: Path) -> None:
    not_gzip = tmp_path / "kepesertaan_202403.csv.gz"
    not_gzip.write_bytes(b"periode;kode_wilayah\n")
    assert _rules(parse_local(not_gzip)[1]) == {"kepesertaan.file_unreadable": []}
    latin1 = tmp_path / "kepesertaan_202404.csv"
    latin1.write_bytes(";".join(KEPESERTAAN_HEADER).encode() + b"\n2024-04;32.73;BANDUNG \xe9\n")
    assert "kepesertaan.file_unreadable" in _rules(parse_local(latin1)[1])
    not_xlsx = tmp_path / "anggaran_2024_murni.xlsx"
    not_xlsx.write_bytes(b"tahun,versi\n")
    assert _rules(parse_local(not_xlsx)[1]) == {"anggaran.file_unreadable": []}


def test_field_count(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kepesertaan_202403.csv", KEPESERTAAN_HEADER,
                     [kepesertaan_row(), ["2024-03", "32.73", "x"]])
    assert _rules(parse_local(path)[1]) == {"kepesertaan.field_count": [2]}


def test_sipd_violations_cite_data_rows(tmp_path: Path) -> None:
    rows = [anggaran_row(), anggaran_row(pagu_rp="1.234,5.6"), anggaran_row(sasaran="ASN"),
            anggaran_row(kode_pemda="3.2"), anggaran_row(versi="final")]
    path = write_sipd(tmp_path / "anggaran_2024_murni.xlsx", "anggaran", ANGGARAN_HEADER, rows,
                      title_rows=5)
    # title rows 1–5, header row 6, data rows 1–5 below it (as in every other source)
    assert _rules(parse_local(path)[1]) == {
        "anggaran.number_format": [2], "anggaran.enum": [3, 5], "anggaran.region_code": [4]}


def test_sipd_header_and_sheet(tmp_path: Path) -> None:
    no_header = write_sipd(tmp_path / "anggaran_2024_murni.xlsx", "anggaran",
                           ["year", *ANGGARAN_HEADER[1:]], [anggaran_row()])
    assert _rules(parse_local(no_header)[1]) == {"anggaran.header": []}
    wrong_sheet = write_sipd(tmp_path / "anggaran_2024_pergeseran.xlsx", "Sheet1",
                             ANGGARAN_HEADER, [anggaran_row()])
    assert _rules(parse_local(wrong_sheet)[1]) == {"anggaran.sheet": []}
    missing = write_sipd(tmp_path / "anggaran_2024_perubahan.xlsx", "anggaran",
                         ANGGARAN_HEADER[:-1], [anggaran_row()[:-1]], title_rows=2)
    assert _rules(parse_local(missing)[1]) == {"anggaran.columns": []}


RENTAN_CASES = [
    ("peserta_rentan.date_format", {"tanggal_lahir": "1990-02-30"}),
    ("peserta_rentan.date_format", {"tanggal_lahir": "05/03/1990"}),
    ("peserta_rentan.date_format", {"tanggal_mulai": "2023-13-01"}),
    ("peserta_rentan.date_format", {"periode": "2024-3"}),
    ("peserta_rentan.enum", {"jenis_kelamin": "X"}),
    ("peserta_rentan.enum", {"program": "JHT"}),
    ("peserta_rentan.enum", {"sumber_iuran": "MANDIRI"}),
    ("peserta_rentan.enum", {"status": "MENINGGAL"}),
    ("peserta_rentan.region_code", {"kode_wilayah_domisili": "327"}),
    ("peserta_rentan.region_code", {"kode_pemda_pembayar": "32.7"}),
    ("peserta_rentan.number_format", {"iuran_rp": "16.800,00"}),
    ("peserta_rentan.required", {"nik": ""}),
    ("peserta_rentan.required", {"status": ""}),
]


@pytest.mark.parametrize(("rule", "bad"), RENTAN_CASES)
def test_peserta_rentan_violations(tmp_path: Path, monkeypatch, rule: str, bad: dict) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "k")
    rows = [rentan_row(), rentan_row(), rentan_row(**bad), rentan_row()]
    path = write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", rows)
    typed, failures = parse_local(path)
    assert _rules(failures) == {rule: [3]}
    assert len(typed) == 3
    text = " ".join(f"{f.message} {f.observed}" for f in failures)
    for value in (rows[2]["nik"], rows[2]["tanggal_lahir"], "SITI"):
        assert not value or value not in text


def test_peserta_rentan_columns(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "k")
    header = [h for h in RENTAN_HEADER if h != "nama"] + ["alamat"]
    path = write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", [rentan_row()], header)
    assert _rules(parse_local(path)[1]) == {"peserta_rentan.columns": []}
    plain = tmp_path / "peserta_rentan_202404.csv.gz"
    plain.write_bytes(b"not gzip at all")
    assert _rules(parse_local(plain)[1]) == {"peserta_rentan.file_unreadable": []}

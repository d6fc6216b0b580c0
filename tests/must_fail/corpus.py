"""A corpus of malformed deliveries, as a hostile or broken upstream would send them.

Each entry is one file and the rule its rejection must name (and the data rows, where
the defect has rows). The files are revisions of periods that hold good data, so a
rejection that lost or overwrote anything would show in the published tables.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extract_writers import (
    ANGGARAN_HEADER,
    KEPESERTAAN_HEADER,
    REALISASI_HEADER,
    RENTAN_HEADER,
    anggaran_row,
    kepesertaan_rows,
    nik,
    rentan_row,
    write_csv,
    write_rentan,
    write_sipd,
)

# Personal values of the participant files: none may appear in any output.
PEOPLE = [(nik(kecamatan="327301", born=f"1987-11-{10 + i}", female=i % 2 == 1, serial=i),
           f"ZULKIFLI HASIBUAN NOMOR{i}", f"1987-11-{10 + i}") for i in range(5)]
PERSONAL_VALUES = [v for person in PEOPLE for v in person]


def people_rows(periode: str = "2024-03") -> list[dict]:
    return [rentan_row(periode, nik=n, nama=name, tanggal_lahir=born,
                       jenis_kelamin="P" if int(n[6:8]) > 40 else "L")
            for n, name, born in PEOPLE]


def realisasi_row(**over: object) -> list[object]:
    row = dict(tahun=2024, bulan=3, kode_pemda="32.73", kode_sub_kegiatan="2.07.02.1.01.0005",
               kode_rekening="5.1.02.02.02.0006", sasaran="PEKERJA_RENTAN",
               realisasi_kumulatif_rp=50_400_000, peserta_dibayar=1000)
    row.update(over)
    return [row[h] for h in REALISASI_HEADER]


def write_good(folder: Path) -> list[Path]:
    """The deliveries in force before the corpus arrives."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(folder / "kepesertaan_202403.csv", KEPESERTAAN_HEADER, kepesertaan_rows(6)),
        write_rentan(folder / "peserta_rentan_202403.csv.gz", people_rows()),
        write_sipd(folder / "realisasi_202403.xlsx", "realisasi", REALISASI_HEADER,
                   [realisasi_row()]),
        write_sipd(folder / "anggaran_2024_murni.xlsx", "anggaran", ANGGARAN_HEADER,
                   [anggaran_row()]),
    ]


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    rows: list[int] | None  # data rows the rejection must cite; None: the file has none
    write: Callable[[Path], None]


def _csv_text(header: list[str], rows: list[dict], delimiter: str = ";") -> str:
    lines = [delimiter.join(header)]
    lines += [delimiter.join(str(r.get(h, "")) for h in header) for r in rows]
    return "\n".join(lines) + "\n"


def _extra_field_kep(p: Path) -> None:
    lines = _csv_text(KEPESERTAAN_HEADER, _kep()).splitlines()
    lines[2] += ";extra"  # data row 2
    p.write_text("\n".join(lines) + "\n")


def _kep(**over: object) -> list[dict]:
    rows = kepesertaan_rows(4)
    for i, changes in over.items():
        rows[int(i.removeprefix("row")) - 1].update(changes)  # type: ignore[call-overload]
    return rows


def _text(data: str | bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data.encode() if isinstance(data, str) else data)


def _gz(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(gzip.compress(data, mtime=0))


def _rentan_bytes(rows: list[dict], header: list[str] = RENTAN_HEADER) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return buf.getvalue().encode()


def _sheet(sheet: str, header: list[str], rows: list[list[object]]) -> Callable[[Path], None]:
    return lambda p: write_sipd(p, sheet, header, rows)


def _truncated_sheet(p: Path) -> None:
    write_sipd(p, "realisasi", REALISASI_HEADER, [realisasi_row(), realisasi_row(bulan=3)])
    with zipfile.ZipFile(p) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    members[sheet] = members[sheet][: len(members[sheet]) // 2]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _byte_flips(p: Path) -> None:
    raw = bytearray(_rentan_bytes(people_rows()))
    second = raw.index(b"\n", raw.index(b"\n") + 1) + 1  # start of data row 2
    comma = raw.index(b",", second + 20)
    raw[comma] = 0xFF  # a comma turned into a byte that is not UTF-8
    raw[second + 3] = 0xC3
    p.write_bytes(gzip.compress(bytes(raw), mtime=0))


def _header_less_rentan(p: Path) -> None:
    full = _rentan_bytes(people_rows())
    p.write_bytes(gzip.compress(full.split(b"\n", 1)[1], mtime=0))


def _extra_field_rentan(p: Path) -> None:
    raw = _rentan_bytes(people_rows()).split(b"\n")
    raw[2] += b",EXTRA"  # data row 2
    p.write_bytes(gzip.compress(b"\n".join(raw), mtime=0))


KEP_HEADER_LINE = ";".join(KEPESERTAAN_HEADER) + "\n"

CASES: list[Case] = [
    Case("kepesertaan_202403_rev1.csv", "kepesertaan.no_data_rows", None,
         _text(KEP_HEADER_LINE)),
    Case("peserta_rentan_202403_rev1.csv.gz", "peserta_rentan.no_data_rows", None,
         _gz(_rentan_bytes([]))),
    Case("realisasi_202403_rev1.xlsx", "realisasi.no_data_rows", None,
         _sheet("realisasi", REALISASI_HEADER, [])),
    Case("kepesertaan_202403_rev2.csv", "kepesertaan.file_unreadable", None, _text(b"")),
    Case("peserta_rentan_202403_rev2.csv.gz", "peserta_rentan.columns", None,
         _header_less_rentan),
    Case("kepesertaan_202403_rev3.csv", "kepesertaan.nul_byte", [2],
         _text(_csv_text(KEPESERTAAN_HEADER, _kep(row2={"nama_wilayah": "KOTA\x00BANDUNG"})))),
    Case("kepesertaan_000001.csv", "ingest.unknown_file", None, _text(KEP_HEADER_LINE)),
    Case("kepesertaan_202403_rev99999999999.csv", "ingest.unknown_file", None,
         _text(KEP_HEADER_LINE)),
    Case("kepesertaan_202413.csv", "ingest.unknown_file", None, _text(KEP_HEADER_LINE)),
    Case("peserta_rentan_202403.csv", "ingest.unknown_file", None,
         _text(_rentan_bytes(people_rows()))),
    Case("peserta_rentan_202403_rev3.csv.gz", "peserta_rentan.file_unreadable", None,
         _byte_flips),
    Case("kepesertaan_202403_rev4.csv", "kepesertaan.out_of_range", [3],
         _text(_csv_text(KEPESERTAAN_HEADER, _kep(row3={"tk_aktif": 10**20})))),
    Case("anggaran_2024_murni_rev1.xlsx", "anggaran.out_of_range", [1],
         _sheet("anggaran", ANGGARAN_HEADER, [anggaran_row(pagu_rp=1e300)])),
    Case("realisasi_202403_rev2.xlsx", "realisasi.out_of_range", [1],
         _sheet("realisasi", REALISASI_HEADER, [realisasi_row(tahun=99999999999)])),
    Case("realisasi_202403_rev3.xlsx", "realisasi.file_unreadable", None, _truncated_sheet),
    Case("kepesertaan_202403_rev5.csv.gz", "kepesertaan.file_unreadable", None,
         _gz(KEP_HEADER_LINE.encode() + b"2024-03;" + b"9" * (4 << 20) + b"\n")),
    Case("kepesertaan_202403_rev6.csv.gz", "kepesertaan.file_unreadable", None,
         lambda p: p.write_bytes(gzip.compress(
             _csv_text(KEPESERTAAN_HEADER, _kep()).encode() * 50, mtime=0)[:300])),
    Case("kepesertaan_202403_rev7.csv", "kepesertaan.columns", None,
         _text(_csv_text(KEPESERTAAN_HEADER, _kep(), delimiter=","))),
    Case("kepesertaan_202403_rev8.csv", "kepesertaan.file_unreadable", None,
         _text(_csv_text(KEPESERTAAN_HEADER, _kep(row2={"nama_wilayah": "BANDUNG \xe9"}))
               .encode("latin-1"))),
    Case("anggaran_2024_murni_rev2.xlsx", "anggaran.file_unreadable", None,
         _text(bytes(range(256)) * 40)),
    Case("anggaran_2024_murni_rev3.xlsx", "anggaran.sheet", None,
         _sheet("Sheet1", ANGGARAN_HEADER, [anggaran_row()])),
    Case("kepesertaan_202403_rev9.csv", "kepesertaan.unique_grain", [1, 2],
         _text(_csv_text(KEPESERTAAN_HEADER, [kepesertaan_rows(1)[0]] * 2))),
    Case("peserta_rentan_202403_rev4.csv.gz", "peserta_rentan.date_format", [2],
         _gz(_rentan_bytes([people_rows()[0], {**people_rows()[1],
                                               "tanggal_lahir": "1987-02-30"}]))),
    Case("kepesertaan_202403_rev10.csv", "kepesertaan.field_count", [2], _extra_field_kep),
    Case("peserta_rentan_202403_rev5.csv.gz", "peserta_rentan.field_count", [2],
         _extra_field_rentan),
    Case("peserta_rentan_202403_rev6.csv.gz", "peserta_rentan.number_format", [1],
         _gz(_rentan_bytes([{**people_rows()[0], "iuran_rp": "9" * 25}]))),
]


def write_corpus(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.write(folder / case.name)
    return CASES

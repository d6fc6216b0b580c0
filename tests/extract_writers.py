"""Writers of small extract files for the ingest tests: each test states only the rows
it cares about, the rest of a valid row comes from here."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

KEPESERTAAN_HEADER = [
    "periode", "kode_wilayah", "nama_wilayah", "segmen", "kategori_pekerja", "sumber_iuran",
    "tk_terdaftar", "tk_aktif", "tk_baru", "tk_keluar", "jumlah_proyek", "iuran_rp",
]
RENTAN_HEADER = [
    "periode", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah_domisili",
    "sumber_iuran", "kode_pemda_pembayar", "program", "tanggal_mulai", "status", "iuran_rp",
]
ANGGARAN_HEADER = [
    "tahun", "versi", "kode_pemda", "nama_pemda", "kode_skpd", "nama_skpd", "kode_sub_kegiatan",
    "nama_sub_kegiatan", "kode_rekening", "uraian_rekening", "sasaran", "target_peserta",
    "pagu_rp",
]
REALISASI_HEADER = [
    "tahun", "bulan", "kode_pemda", "kode_sub_kegiatan", "kode_rekening", "sasaran",
    "realisasi_kumulatif_rp", "peserta_dibayar",
]


def kepesertaan_row(periode: str = "2024-03", **over: Any) -> dict[str, Any]:
    row = dict(periode=periode, kode_wilayah="32.73", nama_wilayah="KOTA BANDUNG", segmen="PU",
               kategori_pekerja="UMUM", sumber_iuran="MANDIRI", tk_terdaftar=100, tk_aktif=80,
               tk_baru=5, tk_keluar=2, jumlah_proyek="", iuran_rp=1_000_000)
    row.update(over)
    return row


def kepesertaan_rows(n: int, periode: str = "2024-03") -> list[dict[str, Any]]:
    """n rows with distinct keys (segmen × kategori × sumber) in Kota Bandung."""
    out = []
    for seg in ("PU", "BPU", "JAKON", "PMI"):
        for kat in ("UMUM", "NON_ASN", "PERANGKAT_DESA", "RT_RW"):
            for src in ("MANDIRI", "PEMBERI_KERJA", "APBD_KABKOTA"):
                out.append(kepesertaan_row(periode, segmen=seg, kategori_pekerja=kat,
                                           sumber_iuran=src))
    return out[:n]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[dict[str, Any] | Sequence[Any]],
              delimiter: str = ";", bom: bool = False, gz: bool = False) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header] if isinstance(r, dict) else r)
    data = (("\ufeff" if bom else "") + buf.getvalue()).encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def nik(kecamatan: str = "327301", born: str = "1990-03-05", female: bool = False,
        serial: int = 1) -> str:
    y, m, d = born.split("-")
    day = int(d) + (40 if female else 0)
    return f"{kecamatan}{day:02d}{m}{y[2:]}{serial:04d}"


def rentan_row(periode: str = "2024-03", **over: Any) -> dict[str, Any]:
    row = dict(periode=periode, nik=nik(), nama='SITI "UCI", S.Pd', jenis_kelamin="L",
               tanggal_lahir="1990-03-05", kode_wilayah_domisili="32.73",
               sumber_iuran="APBD_KABKOTA", kode_pemda_pembayar="32.73", program="JKK_JKM",
               tanggal_mulai="2023-01-01", status="AKTIF", iuran_rp=16800)
    row.update(over)
    return row


def write_rentan(path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = RENTAN_HEADER
                 ) -> Path:
    return write_csv(path, header, rows, delimiter=",", gz=True)


def write_sipd(path: Path, sheet: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
               title_rows: int = 3, trailer: Sequence[Sequence[Any]] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for i in range(title_rows):
        ws.append([f"PEMERINTAH PROVINSI JAWA BARAT {i}"] if i % 2 == 0 else [])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for r in trailer:
        ws.append(list(r))
    wb.save(path)
    return path


def anggaran_row(**over: Any) -> list[Any]:
    row = dict(tahun=2024, versi="murni", kode_pemda="32.73", nama_pemda="KOTA BANDUNG",
               kode_skpd="2.07.0.00.0.00.01.0000", nama_skpd="DINAS TENAGA KERJA",
               kode_sub_kegiatan="2.07.02.1.01.0005", nama_sub_kegiatan="Perlindungan pekerja",
               kode_rekening="5.1.02.02.02.0006", uraian_rekening="Belanja iuran jaminan",
               sasaran="PEKERJA_RENTAN", target_peserta=1000, pagu_rp=201_600_000)
    row.update(over)
    return [row[h] for h in ANGGARAN_HEADER]

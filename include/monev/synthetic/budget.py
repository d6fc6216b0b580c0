"""`anggaran` (APBD budget lines) and `realisasi` (cumulative spending) SIPD exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monev.synthetic.regions import Region, RegionSet, dotless, stable_rng
from monev.synthetic.xlsx import write_sheet

ANGGARAN_COLUMNS = [
    "tahun", "versi", "kode_pemda", "nama_pemda", "kode_skpd", "nama_skpd",
    "kode_sub_kegiatan", "nama_sub_kegiatan", "kode_rekening", "uraian_rekening",
    "sasaran", "target_peserta", "pagu_rp",
]
REALISASI_COLUMNS = [
    "tahun", "bulan", "kode_pemda", "kode_sub_kegiatan", "kode_rekening", "sasaran",
    "realisasi_kumulatif_rp", "peserta_dibayar",
]
TARIFF_YEAR = 16_800 * 12
# Month from which the revised budget (APBD-P) governs spending.
PERUBAHAN_FROM_MONTH = 9


@dataclass(frozen=True)
class Purpose:
    sasaran: str
    prob: float
    share_of_active: float  # target participants relative to the region's active workers
    kode_skpd: str
    nama_skpd: str
    kode_sub: str
    nama_sub: str
    kode_rek: str
    uraian_rek: str
    kabupaten_only: bool = False


PURPOSES = (
    Purpose("PEKERJA_RENTAN", 0.95, 0.035, "2.07.0.00.0.00.01.0000",
            "Dinas Tenaga Kerja dan Transmigrasi", "2.07.02.1.01.0005",
            "Pelaksanaan Program Jaminan Sosial Ketenagakerjaan bagi Pekerja Rentan",
            "5.1.02.02.02.0006", "Belanja Iuran Jaminan Kecelakaan Kerja dan Kematian"),
    Purpose("NON_ASN", 0.55, 0.012, "5.02.0.00.0.00.01.0000",
            "Badan Pengelolaan Keuangan dan Aset Daerah", "5.02.01.1.01.0007",
            "Penyediaan Iuran Jaminan Sosial Pegawai Non ASN",
            "5.1.01.03.07.0001", "Belanja Iuran Jaminan Sosial Ketenagakerjaan Non ASN"),
    Purpose("PERANGKAT_DESA", 0.45, 0.010, "2.13.0.00.0.00.01.0000",
            "Dinas Pemberdayaan Masyarakat dan Desa", "2.13.01.2.03.0002",
            "Fasilitasi Jaminan Sosial Kepala Desa dan Perangkat Desa",
            "5.1.02.02.02.0006", "Belanja Iuran Jaminan Kecelakaan Kerja dan Kematian",
            kabupaten_only=True),
    Purpose("RT_RW", 0.25, 0.006, "7.01.0.00.0.00.01.0000", "Kecamatan", "7.01.01.2.02.0004",
            "Pembinaan Lembaga Kemasyarakatan RT/RW",
            "5.1.02.02.02.0006", "Belanja Iuran Jaminan Kecelakaan Kerja dan Kematian"),
    Purpose("PENYELENGGARA_PEMILU", 0.10, 0.004, "8.01.0.00.0.00.01.0000",
            "Badan Kesatuan Bangsa dan Politik", "8.01.01.2.04.0002",
            "Fasilitasi Perlindungan Badan Ad Hoc Penyelenggara Pemilu",
            "5.1.02.02.02.0006", "Belanja Iuran Jaminan Kecelakaan Kerja dan Kematian"),
)


@dataclass(frozen=True)
class BudgetLine:
    pemda: Region
    purpose: Purpose
    target_murni: int
    pagu_murni: int
    target_perubahan: int
    pagu_perubahan: int
    absorption: float  # share of the budget eventually spent
    first_pay_month: int


def budget_lines(regions: RegionSet, year: int) -> list[BudgetLine]:
    """The year's lines, decided per pemda from the seed: provinces and most kab/kota
    budget, some never do (those are the gaps a Monev should surface)."""
    seed = regions.seed
    lines: list[BudgetLine] = []
    pemdas = [p for p in regions.provinces if regions.exists_in_year(p.kode, year)]
    pemdas += [k for k in regions.kabkota if stable_rng(seed, "budgets", k.kode).random() < 0.7]
    for pemda in sorted(pemdas, key=lambda r: r.kode):
        rng = stable_rng(seed, "lines", year, pemda.kode)
        active = (
            regions.province_active[pemda.kode] * 0.6
            if pemda.is_province else regions.kabkota_active[pemda.kode]
        )
        for pur in PURPOSES:
            u = rng.random()
            if u >= pur.prob or (pur.kabupaten_only and pemda.tingkat != "KABUPATEN"):
                continue
            target = max(25, int(round(active * pur.share_of_active * rng.uniform(0.5, 1.5), -1)))
            # A few lines are far from target × tariff × 12: the reasonableness check's prey.
            off = rng.uniform(0.3, 0.6) if rng.random() < 0.03 else (
                rng.uniform(1.8, 3.0) if rng.random() < 0.03 else rng.normal(1.0, 0.03)
            )
            pagu = int(round(target * TARIFF_YEAR * off, -3))
            change = rng.uniform(0.9, 1.15) if rng.random() < 0.6 else 1.0
            target_p = round(target * change)
            pagu_p = int(round(pagu * change, -3))
            absorption = rng.uniform(1.0, 1.06) if rng.random() < 0.03 else rng.uniform(0.55, 0.99)
            lines.append(BudgetLine(pemda, pur, target, pagu, target_p, pagu_p, absorption,
                                    int(rng.integers(1, 4))))
    return lines


def rupiah_text(value: float) -> str:
    """Indonesian number text as older SIPD exports store it: 1.234.567,00."""
    whole, frac = f"{value:,.2f}".split(".")
    return whole.replace(",", ".") + "," + frac


def title_block(
    seed: int, name: str, subject: str, year: int, versi: str | None
) -> list[str | None]:
    """1–6 rows above the header, as SIPD prints them; height varies per file."""
    rng = stable_rng(seed, "title", name)
    pool: list[str | None] = [
        "PEMERINTAH REPUBLIK INDONESIA",
        "KEMENTERIAN DALAM NEGERI - SISTEM INFORMASI PEMERINTAHAN DAERAH",
        subject,
        f"TAHUN ANGGARAN {year}",
    ]
    if versi:
        pool.append(f"VERSI: {versi.upper()}")
    height = int(rng.integers(1, 7))
    if height == 1:
        return [subject]
    return [*pool[-(height - 1):], None]


def write_anggaran(
    out: Path, regions: RegionSet, year: int, versi: str, name: str | None = None,
    versi_cell: dict[int, str] | None = None,
) -> Path:
    seed = regions.seed
    name = name or f"anggaran_{year}_{versi}.xlsx"
    rng = stable_rng(seed, "anggaran-fmt", name)
    all_text = rng.random() < 0.3  # older exports store every amount as text
    month = 1 if versi == "murni" else PERUBAHAN_FROM_MONTH
    rows = []
    total_target = total_pagu = 0
    for line in budget_lines(regions, year):
        pur = line.purpose
        target = line.target_murni if versi == "murni" else line.target_perubahan
        pagu = line.pagu_murni if versi == "murni" else line.pagu_perubahan
        total_target += target
        total_pagu += pagu
        kode = regions.code_in_month(line.pemda.kode, year, month)
        if rng.random() < 0.03:
            kode = dotless(kode)
        pagu_cell: object = rupiah_text(pagu) if all_text or rng.random() < 0.05 else pagu
        cell_versi = (versi_cell or {}).get(len(rows) + 1, versi)
        rows.append([
            year, cell_versi, kode, line.pemda.nama, pur.kode_skpd, pur.nama_skpd, pur.kode_sub,
            pur.nama_sub, pur.kode_rek, pur.uraian_rek, pur.sasaran, target, pagu_cell,
        ])
    trailer = [[None, None, None, "TOTAL", *[None] * 7, total_target, total_pagu]]
    title = title_block(seed, name, "RINCIAN ANGGARAN IURAN JAMINAN SOSIAL KETENAGAKERJAAN",
                        year, versi)
    return write_sheet(out / name, "anggaran", title, ANGGARAN_COLUMNS, rows, trailer)


def realisasi_rows(regions: RegionSet, year: int, month: int) -> list[list[object]]:
    """Cumulative spending to `month`: each month pays its share of the budget in force
    (the revision from September), so the running sum can only grow."""
    rows = []
    for line in budget_lines(regions, year):
        cumulative = 0.0
        paid = 0
        for m in range(1, month + 1):
            if m < line.first_pay_month:
                continue
            revised = m >= PERUBAHAN_FROM_MONTH
            pagu = line.pagu_perubahan if revised else line.pagu_murni
            target = line.target_perubahan if revised else line.target_murni
            cumulative += pagu * line.absorption / (13 - line.first_pay_month)
            if m == month:
                noise = stable_rng(regions.seed, "paid", year * 100 + m, line.pemda.kode,
                                   line.purpose.sasaran).uniform(0.93, 1.0)
                paid = int(target * min(line.absorption, 1.0) * noise)
        rows.append([
            year, month, regions.code_in_month(line.pemda.kode, year, month),
            line.purpose.kode_sub, line.purpose.kode_rek, line.purpose.sasaran,
            round(cumulative), paid,
        ])
    return rows


def write_realisasi(
    out: Path, regions: RegionSet, year: int, month: int, name: str | None = None,
    rows: list[list[object]] | None = None,
) -> Path:
    name = name or f"realisasi_{year:04d}{month:02d}.xlsx"
    rows = rows if rows is not None else realisasi_rows(regions, year, month)
    title = title_block(regions.seed, name, "LAPORAN REALISASI BELANJA IURAN JAMSOSTEK",
                        year, None)
    return write_sheet(out / name, "realisasi", title, REALISASI_COLUMNS, rows)

"""`referensi/` files the Monev secretariat delivers: denominators, targets, regulations,
and copies of the shipped region-change and BPS-bridge tables."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

from monev.synthetic.regions import Region, RegionSet, stable_rng

# National targets as published (2025: RPJMN 32.15 %, Kemendagri UCJ 52.15 %); other
# years interpolated to keep the series plausible.
NATIONAL_TARGETS = {
    "KEMENDAGRI_UCJ": {2021: 35.0, 2022: 40.0, 2023: 45.0, 2024: 48.6, 2025: 52.15, 2026: 55.0},
    "RPJMN": {2021: 26.0, 2022: 28.0, 2023: 29.5, 2024: 30.5, 2025: 32.15, 2026: 33.5},
}
REGULATION_KIND = {"PROVINSI": "PERGUB", "KABUPATEN": "PERBUP", "KOTA": "PERWALI"}


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _target(year: int, series: str) -> float:
    table = NATIONAL_TARGETS[series]
    year = min(max(year, min(table)), max(table))
    return table[year]


def _kab_employed(regions: RegionSet, kab: Region, year: int) -> int:
    prov_total = regions.province_employed(kab.kode_provinsi, year)
    return int(prov_total * regions.kabkota_share[kab.kode])


def write_referensi(out: Path, regions: RegionSet, years: list[int]) -> list[Path]:
    ref = out / "referensi"
    ref.mkdir(parents=True, exist_ok=True)
    seed = regions.seed
    # Deliver the year before the run too, so "latest year <= year(M)" has a choice.
    years = sorted({years[0] - 1, *years})
    with_province_row = {
        p.kode for p in regions.provinces if stable_rng(seed, "provrow", p.kode).random() < 0.5
    }
    # Small runs must show both cases deterministically.
    if regions.scale == "small":
        with_province_row |= {"62"}
        with_province_row -= {"72"}
    paths = []

    employed_rows: list[list[object]] = []
    potensi_rows: list[list[object]] = []
    for year in years:
        brs = f"BRS BPS No. {60 + year % 10}/11/Th. {year - 1997}, Sakernas Agustus {year}"
        prov_sum: dict[str, int] = {}
        for kab in regions.kabkota:
            e = _kab_employed(regions, kab, year)
            prov_sum[kab.kode_provinsi] = prov_sum.get(kab.kode_provinsi, 0) + e
            employed_rows.append([year, kab.kode, e, brs])
            potensi_rows.append([year, kab.kode, *_potensi(e), "BPJS Ketenagakerjaan"])
        for p in regions.provinces:
            if p.kode in with_province_row:
                # BPS province estimates never equal the sum of their regencies exactly.
                e = int(prov_sum.get(p.kode, 0) * stable_rng(seed, "provadj", year, p.kode)
                        .uniform(0.995, 1.005))
                employed_rows.append([year, p.kode, e, brs])
                potensi_rows.append([year, p.kode, *_potensi(e), "BPJS Ketenagakerjaan"])
        if regions.scale == "national" and year != years[0]:
            e = int(sum(regions.province_employed(p.kode, year) for p in regions.provinces))
            employed_rows.append([year, "00", e, brs])
            potensi_rows.append([year, "00", *_potensi(e), "BPJS Ketenagakerjaan"])
    paths.append(_write(ref / "penduduk_bekerja.csv",
                        ["tahun", "kode_wilayah", "penduduk_bekerja", "sumber"], employed_rows))
    paths.append(_write(ref / "potensi_peserta.csv",
                        ["tahun", "kode_wilayah", "potensi_pu", "potensi_bpu", "potensi_jakon",
                         "sumber"], potensi_rows))
    paths.append(_write(ref / "target_ucj.csv",
                        ["tahun", "kode_wilayah", "sumber_target", "target_persen"],
                        _targets(regions, years)))
    paths.append(_write(ref / "regulasi_daerah.csv",
                        ["kode_pemda", "jenis", "nomor", "tahun", "tanggal_penetapan", "judul"],
                        _regulations(regions, years[-1])))
    for name in ("wilayah_perubahan.csv", "wilayah_bps.csv"):
        src = regions.ref_dir / name
        if src.exists():
            paths.append(Path(shutil.copyfile(src, ref / name)))
    return paths


def _potensi(employed: int) -> list[int]:
    # BPJS's eligible-worker estimate is smaller than BPS's employed population.
    return [int(employed * 0.34), int(employed * 0.38), int(employed * 0.035)]


def _targets(regions: RegionSet, years: list[int]) -> list[list[object]]:
    seed = regions.seed
    rows: list[list[object]] = []
    for year in years:
        for series in ("KEMENDAGRI_UCJ", "RPJMN"):
            rows.append([year, "00", series, f"{_target(year, series):.2f}"])
        base = _target(year, "KEMENDAGRI_UCJ")
        for p in regions.provinces:
            rng = stable_rng(seed, "target", year, p.kode)
            rows.append([year, p.kode, "KEMENDAGRI_UCJ", f"{base * rng.uniform(0.7, 1.2):.2f}"])
            if rng.random() < 0.4:
                rows.append([year, p.kode, "RPJMD", f"{base * rng.uniform(0.5, 0.9):.2f}"])
        for k in regions.kabkota:
            rng = stable_rng(seed, "target", year, k.kode)
            if rng.random() < 0.7:
                rows.append([year, k.kode, "KEMENDAGRI_UCJ",
                             f"{base * rng.uniform(0.6, 1.3):.2f}"])
    return rows


def _regulations(regions: RegionSet, last_year: int) -> list[list[object]]:
    """About half the pemda have an instrument; some only an SE or a PKS, which the
    indicator must not count; dates spread so the 'as of month end' rule matters."""
    rows: list[list[object]] = []
    start = date(2021, 3, 1)
    span = (date(last_year, 12, 31) - start).days
    for r in [*regions.provinces, *regions.kabkota]:
        rng = stable_rng(regions.seed, "regulasi", r.kode)
        u = rng.random()
        if u >= 0.55:
            continue
        if u < 0.12:
            kinds = ["SE"] if rng.random() < 0.6 else ["PKS"]
        else:
            kinds = [REGULATION_KIND[r.tingkat]]
            if rng.random() < 0.15:
                kinds.append("PERDA" if rng.random() < 0.5 else "KEPKADA")
            if rng.random() < 0.2:
                kinds.append("PKS")
        for kind in kinds:
            d = start + timedelta(days=int(rng.integers(0, span)))
            title = (
                f"{_kind_title(kind)} tentang Optimalisasi Pelaksanaan Program Jaminan Sosial "
                f"Ketenagakerjaan di {r.nama.title()}"
            )
            if kind == "PKS":
                title = f"Perjanjian Kerja Sama {r.nama.title()} dengan BPJS Ketenagakerjaan"
            nomor = f"{int(rng.integers(1, 80))}" if kind != "PKS" else (
                f"PKS/{int(rng.integers(1, 300))}/{d.year}"
            )
            rows.append([r.kode, kind, nomor, d.year, d.isoformat(), title])
    return rows


def _kind_title(kind: str) -> str:
    return {
        "PERDA": "Peraturan Daerah", "PERGUB": "Peraturan Gubernur",
        "PERBUP": "Peraturan Bupati", "PERWALI": "Peraturan Wali Kota",
        "SE": "Surat Edaran", "KEPKADA": "Keputusan Kepala Daerah",
        "PKS": "Perjanjian Kerja Sama",
    }[kind]

"""Region universe for the generator: which regions exist, their weights, and their
code as a sender would have written it in a given month (old Papua codes before the split)."""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from monev import periods
from monev.referensi.regions import Region, load_regions

# Rough employed-population shares by province (millions, BPS Sakernas Aug 2023 order of
# magnitude). Only relative size matters: totals are rescaled to the national calibration.
PROVINCE_EMPLOYED_MILLIONS: dict[str, float] = {
    "11": 2.5, "12": 7.4, "13": 2.7, "14": 3.2, "15": 1.8, "16": 4.3, "17": 1.0,
    "18": 4.5, "19": 0.7, "21": 1.0, "31": 5.0, "32": 23.0, "33": 19.0, "34": 2.2,
    "35": 22.5, "36": 5.6, "51": 2.6, "52": 2.7, "53": 2.7, "61": 2.6, "62": 1.4,
    "63": 2.2, "64": 1.8, "65": 0.35, "71": 1.2, "72": 1.5, "73": 4.2, "74": 1.3,
    "75": 0.6, "76": 0.7, "81": 0.75, "82": 0.6, "91": 0.6, "92": 0.3, "93": 0.3,
    "94": 0.65, "95": 0.8, "96": 0.3,
}
# Coverage intensity relative to the national average: head-office registrations inflate
# Jakarta, extractive provinces cover more, the Papuan highlands far less.
PROVINCE_COVERAGE_FACTOR: dict[str, float] = {
    "31": 2.6, "64": 1.5, "21": 1.5, "14": 1.2, "65": 1.2, "36": 1.1, "51": 1.1,
    "53": 0.55, "52": 0.7, "95": 0.35, "94": 0.5, "93": 0.6, "91": 0.8, "11": 0.8,
}
# Published Dec-2023 active participants; these provinces are pinned, the rest share the
# remainder of the national figure.
PINNED_ACTIVE_2023_12: dict[str, int] = {"62": 686_023, "63": 634_862, "72": 565_871}
NATIONAL_ACTIVE_2023_12 = 41_600_000
NATIONAL_REGISTERED_2023_12 = 61_100_000
NATIONAL_EMPLOYED_2023 = 139_900_000
# Monthly growth around the calibration month (active ~ +13 %/year; registered, being
# cumulative, must outgrow it by the leavers, who stay registered).
ACTIVE_MONTHLY_GROWTH = 0.0105
REGISTERED_MONTHLY_GROWTH = 0.012
EMPLOYED_YEARLY_GROWTH = 0.018
CALIBRATION_MONTH = (2023, 12)

# Small scale: the calibrated Kalimantan/Sulawesi provinces plus Papua and Papua Tengah,
# so the 2022 code split is exercised.
SMALL_PROVINCES = ("62", "72", "91", "94")


@dataclass(frozen=True)
class CodeChange:
    kode_lama: str
    kode_baru: str
    berlaku_mulai: str  # YYYY-MM-DD


def reference_dir() -> Path:
    return Path(str(resources.files("monev.referensi") / "data"))


def stable_rng(*parts: int | str) -> np.random.Generator:
    """An RNG keyed on meaning (seed, region, month...) rather than on call order, so a
    month's data does not depend on which other months were generated with it."""
    key = [p if isinstance(p, int) else zlib.crc32(p.encode()) for p in parts]
    return np.random.default_rng(key)


@lru_cache(maxsize=4)
def _load_all(ref_dir: str) -> tuple[Region, ...]:
    return tuple(sorted(load_regions(Path(ref_dir) / "wilayah.csv"), key=lambda r: r.kode))


def load_code_changes(ref_dir: Path | None = None) -> list[CodeChange]:
    path = (ref_dir or reference_dir()) / "wilayah_perubahan.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            CodeChange(r["kode_lama"].strip(), r["kode_baru"].strip(), r["berlaku_mulai"].strip())
            for r in csv.DictReader(fh)
        ]


class RegionSet:
    """The provinces and kab/kota in scope, with calibrated Dec-2023 active totals."""

    def __init__(self, scale: str, seed: int, ref_dir: Path | None = None) -> None:
        self.ref_dir = ref_dir or reference_dir()
        all_regions = _load_all(str(self.ref_dir))
        if scale == "small":
            keep = set(SMALL_PROVINCES)
        elif scale == "national":
            keep = {r.kode_provinsi for r in all_regions}
        else:
            raise ValueError(f"unknown scale {scale!r}")
        self.scale = scale
        self.seed = seed
        self.provinces = [r for r in all_regions if r.is_province and r.kode in keep]
        self.kabkota = [r for r in all_regions if not r.is_province and r.kode_provinsi in keep]
        self.by_code = {r.kode: r for r in all_regions}
        changes = load_code_changes(self.ref_dir)
        # Only kab/kota renumberings matter for deliveries: new provinces had no old code.
        self.old_code = {c.kode_baru: c for c in changes if "." in c.kode_baru}
        self.new_provinces = self._new_provinces()
        self.province_active = self._province_active()
        self.kabkota_share = self._kabkota_share()
        self.kabkota_active = {
            k.kode: self.province_active[k.kode_provinsi] * self.kabkota_share[k.kode]
            for k in self.kabkota
        }

    def _new_provinces(self) -> set[str]:
        """Provinces all of whose kab/kota were renumbered: their government did not
        exist before the split, so they cannot budget for those years."""
        out = set()
        for p in self.provinces:
            kids = [k for k in self.kabkota if k.kode_provinsi == p.kode]
            if kids and all(k.kode in self.old_code for k in kids):
                out.add(p.kode)
        return out

    def _province_active(self) -> dict[str, float]:
        # National proportions are computed over all 38 provinces, so a small run's
        # provinces carry the same totals as in a national run.
        raw = {
            p: PROVINCE_EMPLOYED_MILLIONS.get(p, 1.0) * PROVINCE_COVERAGE_FACTOR.get(p, 1.0)
            for p in PROVINCE_EMPLOYED_MILLIONS
        }
        free = NATIONAL_ACTIVE_2023_12 - sum(PINNED_ACTIVE_2023_12.values())
        free_w = sum(w for p, w in raw.items() if p not in PINNED_ACTIVE_2023_12)
        out = {}
        for p in self.provinces:
            if p.kode in PINNED_ACTIVE_2023_12:
                out[p.kode] = float(PINNED_ACTIVE_2023_12[p.kode])
            else:
                out[p.kode] = free * raw.get(p.kode, 1.0) / free_w
        return out

    def _kabkota_share(self) -> dict[str, float]:
        shares: dict[str, float] = {}
        for p in self.provinces:
            kids = [k for k in self.kabkota if k.kode_provinsi == p.kode]
            # Lognormal spread: a couple of dominant cities, a long tail of rural regencies.
            w = np.array(
                [
                    stable_rng(self.seed, "kabw", k.kode).lognormal(0.0, 0.6)
                    * (1.6 if k.tingkat == "KOTA" else 1.0)
                    for k in kids
                ]
            )
            w = w / w.sum() if len(w) else w
            shares.update({k.kode: float(s) for k, s in zip(kids, w, strict=True)})
        return shares

    def province_employed(self, kode: str, year: int) -> float:
        total = sum(PROVINCE_EMPLOYED_MILLIONS.values())
        share = PROVINCE_EMPLOYED_MILLIONS.get(kode, 1.0) / total
        return NATIONAL_EMPLOYED_2023 * share * (1 + EMPLOYED_YEARLY_GROWTH) ** (year - 2023)

    def code_in_month(self, kode: str, year: int, month: int) -> str:
        """The code a sender used for a region in a month: the pre-split code before the
        change took effect (compared by month, as the delivery period is a month)."""
        change = self.old_code.get(kode)
        if change and f"{year:04d}-{month:02d}" < change.berlaku_mulai[:7]:
            return change.kode_lama
        return kode

    def nik_prefix_code(self, kode: str) -> str:
        """NIKs are never reissued when a region is renumbered, so people of a split-off
        regency keep the old PPKK in their NIK."""
        change = self.old_code.get(kode)
        return change.kode_lama if change else kode

    def exists_in_year(self, province: str, year: int) -> bool:
        if province not in self.new_provinces:
            return True
        starts = [
            c.berlaku_mulai
            for c in self.old_code.values()
            if c.kode_baru.startswith(province + ".")
        ]
        return bool(starts) and int(min(starts)[:4]) < year


def months_between(periode_from: str, periode_to: str) -> list[tuple[int, int]]:
    """(year, month) of every month from `periode_from` to `periode_to`, inclusive."""
    return [periods.parse(p) for p in periods.between(periode_from, periode_to)]


def months_from_calibration(year: int, month: int) -> int:
    return periods.months_apart(periods.key(*CALIBRATION_MONTH), periods.key(year, month))


def dotless(kode: str) -> str:
    return kode.replace(".", "")

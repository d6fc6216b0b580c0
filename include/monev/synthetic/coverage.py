"""`kepesertaan` monthly coverage recap: calibrated counts per region × segment combination."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monev import periods
from monev.synthetic.regions import (
    ACTIVE_MONTHLY_GROWTH,
    NATIONAL_ACTIVE_2023_12,
    NATIONAL_REGISTERED_2023_12,
    REGISTERED_MONTHLY_GROWTH,
    RegionSet,
    dotless,
    months_from_calibration,
    stable_rng,
)

KEPESERTAAN_COLUMNS = [
    "periode", "kode_wilayah", "nama_wilayah", "segmen", "kategori_pekerja", "sumber_iuran",
    "tk_terdaftar", "tk_aktif", "tk_baru", "tk_keluar", "jumlah_proyek", "iuran_rp",
]


@dataclass(frozen=True)
class Combo:
    segmen: str
    kategori: str
    sumber: str
    share: float  # share of the region's active workers
    keaktifan: float  # active / registered: informal workers lapse far more often
    iuran: int  # average monthly contribution per active worker, rupiah
    prob: float  # probability that a region has this combination at all
    kabupaten_only: bool = False


# Shares are renormalised per region over the combos it actually has.
COMBOS: tuple[Combo, ...] = (
    Combo("PU", "UMUM", "PEMBERI_KERJA", 0.52, 0.74, 145_000, 1.0),
    Combo("PU", "NON_ASN", "APBD_KABKOTA", 0.035, 0.90, 110_000, 0.85),
    Combo("PU", "NON_ASN", "APBD_PROVINSI", 0.010, 0.90, 110_000, 0.35),
    Combo("BPU", "UMUM", "MANDIRI", 0.17, 0.55, 21_000, 1.0),
    Combo("BPU", "PEKERJA_RENTAN", "APBD_PROVINSI", 0.030, 0.80, 16_800, 0.6),
    Combo("BPU", "PEKERJA_RENTAN", "APBD_KABKOTA", 0.040, 0.80, 16_800, 0.7),
    Combo("BPU", "PEKERJA_RENTAN", "APBDES", 0.030, 0.80, 16_800, 0.6, kabupaten_only=True),
    Combo("BPU", "PEKERJA_RENTAN", "CSR", 0.008, 0.75, 16_800, 0.3),
    Combo("BPU", "PERANGKAT_DESA", "APBDES", 0.022, 0.92, 16_800, 0.9, kabupaten_only=True),
    Combo("BPU", "RT_RW", "APBD_KABKOTA", 0.012, 0.90, 16_800, 0.45),
    Combo("BPU", "PENYELENGGARA_PEMILU", "APBN", 0.004, 0.60, 16_800, 0.25),
    Combo("JAKON", "UMUM", "PEMBERI_KERJA", 0.095, 0.50, 9_500, 1.0),
    Combo("PMI", "UMUM", "MANDIRI", 0.020, 0.65, 37_500, 0.55),
)
# Registered = active / keaktifan; rescale keaktifan so the national ratio matches
# 61.1 M registered for 41.6 M active.
_RAW_REG = sum(c.share / c.keaktifan for c in COMBOS) / sum(c.share for c in COMBOS)
REGISTERED_SCALE = (NATIONAL_REGISTERED_2023_12 / NATIONAL_ACTIVE_2023_12) / _RAW_REG


@dataclass
class CoverageRow:
    kode: str
    nama: str
    combo: Combo
    base_active: float  # Dec-2023 active, before monthly noise


def coverage_rows(regions: RegionSet) -> list[CoverageRow]:
    """The stable set of rows (region × combination) and their calibrated base level.
    Chosen per region once, so rows do not appear and vanish from month to month."""
    rows: list[CoverageRow] = []
    for kab in regions.kabkota:
        rng = stable_rng(regions.seed, "combos", kab.kode)
        draws = rng.random(len(COMBOS))
        chosen = [
            c for c, u in zip(COMBOS, draws, strict=True)
            if u < c.prob and not (c.kabupaten_only and kab.tingkat == "KOTA")
        ]
        jitter = rng.lognormal(0.0, 0.25, len(chosen))
        weights = np.array([c.share for c in chosen]) * jitter
        weights /= weights.sum()
        total = regions.kabkota_active[kab.kode]
        rows.extend(
            CoverageRow(kab.kode, kab.nama, c, total * float(w))
            for c, w in zip(chosen, weights, strict=True)
        )
    return rows


def _levels(rows: list[CoverageRow], seed: int, year: int, month: int) -> tuple[np.ndarray, ...]:
    """Active and registered for one month. Registered is a smooth deterministic curve, so
    it only grows; active carries a little month-specific noise."""
    t = months_from_calibration(year, month)
    base = np.array([r.base_active for r in rows])
    keaktifan = np.array([r.combo.keaktifan for r in rows]) * REGISTERED_SCALE ** -1
    registered = base / keaktifan * (1 + REGISTERED_MONTHLY_GROWTH) ** t
    noise = stable_rng(seed, "aktif", year * 100 + month).normal(0.0, 0.003, len(rows))
    active = base * (1 + ACTIVE_MONTHLY_GROWTH) ** t * (1 + noise)
    registered = np.maximum(np.round(registered), 1).astype(np.int64)
    active = np.minimum(np.round(active).astype(np.int64), registered)
    return np.maximum(active, 0), registered


def coverage_frame(
    regions: RegionSet, rows: list[CoverageRow], year: int, month: int
) -> list[dict[str, object]]:
    """Clean records for one month, in current codes as written for that month."""
    seed = regions.seed
    active, registered = _levels(rows, seed, year, month)
    py, pm = periods.shift(year, month, -1)
    prev_active, prev_registered = _levels(rows, seed, py, pm)
    # Newcomers are the registration increase; leavers close the gap to the active change.
    baru = np.maximum(registered - prev_registered, 0)
    keluar = np.maximum(baru - (active - prev_active), 0)
    rng = stable_rng(seed, "proyek", year * 100 + month)
    out = []
    periode = f"{year:04d}-{month:02d}"
    for i, r in enumerate(rows):
        c = r.combo
        proyek = ""
        if c.segmen == "JAKON":
            proyek = str(max(1, int(active[i] / rng.uniform(35, 70))))
        out.append({
            "periode": periode,
            "kode_wilayah": regions.code_in_month(r.kode, year, month),
            "nama_wilayah": r.nama,
            "segmen": c.segmen,
            "kategori_pekerja": c.kategori,
            "sumber_iuran": c.sumber,
            "tk_terdaftar": int(registered[i]),
            "tk_aktif": int(active[i]),
            "tk_baru": int(baru[i]),
            "tk_keluar": int(keluar[i]),
            "jumlah_proyek": proyek,
            "iuran_rp": int(active[i]) * c.iuran,
        })
    return out


def apply_tolerated_variations(
    records: list[dict[str, object]], seed: int, tag: str
) -> list[dict[str, object]]:
    """Dot-less region codes (~5 %) and a few lower-case / padded enum values, as real
    senders produce them; the contract says the warehouse must accept these."""
    rng = stable_rng(seed, "variations", tag)
    out = []
    for rec in records:
        rec = dict(rec)
        if rng.random() < 0.05:
            rec["kode_wilayah"] = dotless(str(rec["kode_wilayah"]))
        u = rng.random()
        if u < 0.02:
            rec["segmen"] = str(rec["segmen"]).lower()
        elif u < 0.04:
            rec["sumber_iuran"] = f"{rec['sumber_iuran']} "
        elif u < 0.05:
            rec["kategori_pekerja"] = str(rec["kategori_pekerja"]).lower() + "  "
        out.append(rec)
    return out


def revise(records: list[dict[str, object]], seed: int, tag: str) -> list[dict[str, object]]:
    """A correction delivery: a few rows get corrected active/new counts."""
    rng = stable_rng(seed, "revision", tag)
    out = []
    for rec in records:
        rec = dict(rec)
        if rng.random() < 0.08:
            terdaftar = int(rec["tk_terdaftar"])  # type: ignore[call-overload]
            aktif = int(rec["tk_aktif"])  # type: ignore[call-overload]
            fixed = min(terdaftar, max(0, int(aktif * rng.uniform(0.97, 1.03))))
            rec["tk_aktif"] = fixed
        out.append(rec)
    return out


def write_kepesertaan(
    path: Path, records: list[dict[str, object]], bom: bool = False,
    columns: list[str] | None = None,
) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=columns or KEPESERTAAN_COLUMNS, delimiter=";", lineterminator="\n",
        extrasaction="ignore",
    )
    writer.writeheader()
    writer.writerows(records)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path



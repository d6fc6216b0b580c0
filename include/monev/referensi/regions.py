"""Region reference: Kemendagri codes (Kepmendagri 300.2.2-2138/2025)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

_CODE = re.compile(r"^([0-9]{2})(?:\.?([0-9]{2}))?$")


@dataclass(frozen=True)
class Region:
    kode: str  # PP or PP.KK, current Kemendagri code
    kode_tanpa_titik: str
    nama: str
    tingkat: str  # PROVINSI | KABUPATEN | KOTA
    kode_provinsi: str

    @property
    def is_province(self) -> bool:
        return self.tingkat == "PROVINSI"


def data_path(name: str) -> Path:
    """Path of a shipped reference file, e.g. ``data_path("wilayah.csv")``."""
    path = DATA_DIR / name
    if path.parent != DATA_DIR:
        raise ValueError(f"not a reference file name: {name!r}")
    return path


def load_regions(path: Path | None = None) -> list[Region]:
    """All provinces and kabupaten/kota of ``wilayah.csv`` (the shipped one unless
    `path`), in file order. The one reader of that file."""
    with (path or data_path("wilayah.csv")).open(encoding="utf-8-sig", newline="") as fh:
        return [
            Region(
                kode=row["kode"],
                kode_tanpa_titik=row["kode_tanpa_titik"],
                nama=row["nama"],
                tingkat=row["tingkat"].upper(),
                kode_provinsi=row["kode_provinsi"],
            )
            for row in csv.DictReader(fh)
        ]


def canonical_region_code(raw: str) -> str | None:
    """Normalise ``PP``, ``PP.KK`` or ``PPKK`` (spaces ignored) to ``PP`` or ``PP.KK``.

    Returns None when the value is not of one of those shapes. Whether the region
    exists is not checked.
    """
    if not isinstance(raw, str):
        return None
    match = _CODE.match(re.sub(r"\s+", "", raw))
    if match is None:
        return None
    pp, kk = match.groups()
    return pp if kk is None else f"{pp}.{kk}"

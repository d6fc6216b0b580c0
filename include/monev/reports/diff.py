"""What changed between two revisions of a report, from their Parquet snapshots.

A reissue states what moved since the version sent before, and the reports site shows
the same for every revision: figures of month M that changed per region, regions added
or removed, and source files that came in or went out. Both read the snapshots the
archive keeps next to each report (`<name>_data/`), never the live marts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from monev.reports import formatting as fmt
from monev.reports.data import MartData, records

# The figures a reader compares (column, label, kind); kind picks the formatting.
FIGURES = [
    ("peserta_aktif", "peserta aktif", "int"), ("cakupan_persen", "cakupan", "pct"),
    ("capaian_target_persen", "capaian target", "pct"), ("peringkat", "peringkat", "int"),
    ("pekerja_rentan_aktif", "pekerja rentan aktif", "int"), ("pagu_rp", "pagu", "rp"),
    ("realisasi_rp", "realisasi", "rp"), ("iuran_ditagih_rp", "iuran ditagih", "rp"),
    ("serapan_persen", "serapan", "pct"), ("nik_ganda", "NIK ganda", "int"),
]
_SHOW = {"int": fmt.num, "pct": fmt.pct, "rp": fmt.rupiah}
LIST_LIMIT = 20


@dataclass(frozen=True)
class Moved:
    region: str
    label: str
    before: str
    after: str


@dataclass
class Changes:
    moved: list[Moved] = field(default_factory=list)
    added: list[str] = field(default_factory=list)    # regions
    removed: list[str] = field(default_factory=list)
    files_in: list[str] = field(default_factory=list)   # source files
    files_out: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.moved or self.added or self.removed or self.files_in
                    or self.files_out)

    def lines(self, limit: int = LIST_LIMIT) -> list[str]:
        """The changes as Indonesian sentences (what the report and the email say)."""
        if self.empty:
            return ["Tidak ada angka yang berubah."]
        out = [f"{m.region}: {m.label} {m.before} → {m.after}" for m in self.moved[:limit]]
        if len(self.moved) > limit:
            out.append(f"… dan {len(self.moved) - limit} perubahan angka lainnya")
        if self.added:
            out.append("Baris wilayah ditambahkan: " + ", ".join(self.added))
        if self.removed:
            out.append("Baris wilayah dihapus: " + ", ".join(self.removed))
        if self.files_in:
            out.append("Berkas sumber baru: " + ", ".join(self.files_in))
        if self.files_out:
            out.append("Berkas sumber tidak lagi dipakai: " + ", ".join(self.files_out))
        return out

    def summary(self) -> str:
        if self.empty:
            return "tidak ada perubahan angka"
        parts = [f"{len(self.moved)} angka berubah"] if self.moved else []
        if self.added:
            parts.append(f"{len(self.added)} baris ditambah")
        if self.removed:
            parts.append(f"{len(self.removed)} baris dihapus")
        if self.files_in or self.files_out:
            parts.append(f"{len(self.files_in) + len(self.files_out)} berkas sumber berganti")
        return ", ".join(parts)


def _month_rows(data: MartData) -> dict[str, dict]:
    w = data.wilayah
    return {r["kode_wilayah"]: r for r in records(w[w["periode"] == data.periode])}


def _same(a: object, b: object) -> bool:
    if fmt.is_missing(a) or fmt.is_missing(b):
        return fmt.is_missing(a) and fmt.is_missing(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]


def _files(data: MartData) -> set[str]:
    out = set()
    for r in records(data.sumber_data):
        status = r.get("status")
        if status in (None, "loaded"):
            out.add(str(r.get("file_name")))
    return out


def compare(before: MartData, after: MartData) -> Changes:
    """Month M of `after` against month M of `before` (the same scope's snapshots)."""
    old, new = _month_rows(before), _month_rows(after)
    changes = Changes()
    for code in sorted(old.keys() & new.keys()):
        for col, label, kind in FIGURES:
            a, b = old[code].get(col), new[code].get(col)
            if not _same(a, b):
                changes.moved.append(Moved(str(new[code]["nama_wilayah"]), label,
                                           _SHOW[kind](a), _SHOW[kind](b)))
    changes.added = [str(new[c]["nama_wilayah"]) for c in sorted(new.keys() - old.keys())]
    changes.removed = [str(old[c]["nama_wilayah"]) for c in sorted(old.keys() - new.keys())]
    old_files, new_files = _files(before), _files(after)
    changes.files_in = sorted(new_files - old_files)
    changes.files_out = sorted(old_files - new_files)
    return changes

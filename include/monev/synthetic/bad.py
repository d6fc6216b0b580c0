"""Deliberately broken deliveries, one per rule, kept apart in `out/bad/`.

Each file is a valid delivery except for the one defect, and is named like a real
correction (`_rev7`, `_rev8`, …) so ingesting it exercises exactly that rule."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from monev import periods
from monev.synthetic import budget, coverage, participants
from monev.synthetic.regions import RegionSet

BAD_KINDS: tuple[str, ...] = (
    "unknown_columns",
    "wrong_period",
    "duplicate_keys",
    "unparseable_number",
    "unknown_region",
    "aktif_gt_terdaftar",
    "negative_count",
    "invalid_nik",
    "realisasi_decreasing",
    "wrong_versi",
)
RULES = {
    "unknown_columns": "column set differs from the contract (missing tk_aktif, extra keterangan)",
    "wrong_period": "periode differs from the month in the file name",
    "duplicate_keys": "duplicate (periode, kode_wilayah, segmen, kategori_pekerja, sumber_iuran)",
    "unparseable_number": "count or amount that is not an integer",
    "unknown_region": "kode_wilayah not in the region reference",
    "aktif_gt_terdaftar": "tk_aktif greater than tk_terdaftar",
    "negative_count": "negative count",
    "invalid_nik": "NIK not 16 digits or with an impossible embedded birth date",
    "realisasi_decreasing": "cumulative realisation below the previous month's for the same key",
    "wrong_versi": "versi cell differs from the version in the file name",
}
# Bad rows sit a few rows into the file, so a checker that only reads row 1 misses them.
PICK = (2, 5, 9)


class _Namer:
    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def rev(self, stem: str) -> int:
        self.used[stem] = self.used.get(stem, 6) + 1
        return self.used[stem]


def write_bad(
    out: Path, regions: RegionSet, months: Sequence[tuple[int, int]], kinds: Sequence[str],
) -> list[Path]:
    unknown = sorted(set(kinds) - set(BAD_KINDS))
    if unknown:
        raise ValueError(f"unknown bad kinds {unknown}; known: {list(BAD_KINDS)}")
    if not kinds:
        return []
    bad = out / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    year, month = months[-1]
    ym = f"{year:04d}{month:02d}"
    namer = _Namer()
    manifest: dict[str, dict[str, object]] = {}
    paths: list[Path] = []
    rows = coverage.coverage_rows(regions)

    def clean_records() -> list[dict[str, object]]:
        return coverage.coverage_frame(regions, rows, year, month)

    for kind in BAD_KINDS:  # fixed order: file names do not depend on the caller's order
        if kind not in kinds:
            continue
        affected: list[int] = []
        if kind in RULES and kind not in ("invalid_nik", "realisasi_decreasing", "wrong_versi"):
            recs = clean_records()
            name = f"kepesertaan_{ym}_rev{namer.rev('kepesertaan_' + ym)}.csv"
            columns = None
            if kind == "unknown_columns":
                columns = [c for c in coverage.KEPESERTAAN_COLUMNS if c != "tk_aktif"]
                columns.append("keterangan")
            elif kind == "wrong_period":
                for i in PICK:
                    recs[i - 1]["periode"] = periods.key(*periods.shift(year, month, -1))
                affected = list(PICK)
            elif kind == "duplicate_keys":
                dup = [dict(recs[i - 1]) for i in PICK[:2]]
                recs.extend(dup)
                affected = [*PICK[:2], len(recs) - 1, len(recs)]
            elif kind == "unparseable_number":
                recs[PICK[0] - 1]["tk_aktif"] = "1.234a"
                recs[PICK[1] - 1]["iuran_rp"] = "n/a"
                affected = list(PICK[:2])
            elif kind == "unknown_region":
                recs[PICK[1] - 1]["kode_wilayah"] = "99.01"
                recs[PICK[1] - 1]["nama_wilayah"] = "WILAYAH TIDAK DIKENAL"
                affected = [PICK[1]]
            elif kind == "aktif_gt_terdaftar":
                for i in PICK[:2]:
                    recs[i - 1]["tk_aktif"] = int(recs[i - 1]["tk_terdaftar"]) + 17  # type: ignore[call-overload]
                affected = list(PICK[:2])
            elif kind == "negative_count":
                recs[PICK[2] - 1]["tk_keluar"] = -3
                affected = [PICK[2]]
            paths.append(coverage.write_kepesertaan(bad / name, recs, columns=columns))
        elif kind == "invalid_nik":
            name = f"peserta_rentan_{ym}_rev{namer.rev('rentan_' + ym)}.csv.gz"
            pop = participants.build_population(regions, regions.seed, 400, 1, (year, month))
            table = participants.month_table(regions, pop, 0, year, month)
            niks = table.column("nik").to_pylist()
            niks[PICK[0] - 1] = niks[PICK[0] - 1][:15]  # 15 digits
            n = niks[PICK[1] - 1]
            niks[PICK[1] - 1] = n[:6] + "35" + n[8:] if n[6] < "4" else n[:6] + "75" + n[8:]
            n = niks[PICK[2] - 1]
            niks[PICK[2] - 1] = n[:8] + "13" + n[10:]  # month 13
            table = table.set_column(1, "nik", pa.array(niks, pa.string()))
            paths.append(participants.write_rentan(bad / name, table))
            affected = list(PICK)
        elif kind == "realisasi_decreasing":
            y, m = next(((y, m) for y, m in reversed(months) if m > 1), (months[0][0], 2))
            name = f"realisasi_{y:04d}{m:02d}_rev{namer.rev(f'realisasi_{y}{m:02d}')}.xlsx"
            prev = budget.realisasi_rows(regions, y, m - 1)
            cur = budget.realisasi_rows(regions, y, m)
            positive = [i for i, r in enumerate(prev) if int(r[6]) > 0]  # type: ignore[call-overload]
            for i in positive[:2]:
                cur[i][6] = int(prev[i][6]) // 2  # type: ignore[call-overload]
            affected = [i + 1 for i in positive[:2]]
            paths.append(budget.write_realisasi(bad, regions, y, m, name=name, rows=cur))
        elif kind == "wrong_versi":
            name = f"anggaran_{year}_murni_rev{namer.rev(f'anggaran_{year}_murni')}.xlsx"
            affected = [1, 2]
            paths.append(budget.write_anggaran(
                bad, regions, year, "murni", name=name,
                versi_cell={i: "perubahan" for i in affected},
            ))
        manifest[name] = {"kind": kind, "rule": RULES[kind], "rows": affected}
    mpath = bad / "MANIFEST.json"
    mpath.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [*paths, mpath]

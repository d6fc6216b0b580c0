"""Orchestrates one synthetic landing folder: every source, every month in range."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from monev.private_files import owner_only, tighten
from monev.synthetic import budget, coverage, participants
from monev.synthetic.bad import BAD_KINDS, write_bad
from monev.synthetic.referensi import write_referensi
from monev.synthetic.regions import RegionSet, months_between, stable_rng

DEFAULT_RENTAN_ROWS = {"small": 3_000, "national": 6_000_000}


def generate(
    out: Path,
    periode_from: str,
    periode_to: str,
    scale: Literal["small", "national"] = "small",
    seed: int = 0,
    bad: Sequence[str] = (),
    rentan_rows: int | None = None,
) -> list[Path]:
    """Write a landing folder for months [periode_from, periode_to] (YYYY-MM) and return
    the files written. Same arguments give byte-identical files.

    The files carry NIK and names (synthetic, but shaped like the real thing): they are
    written 0600 in 0700 folders, as every file of personal data is (monev.private_files);
    a folder written before that rule is tightened."""
    out = Path(out)
    unknown = sorted(set(bad) - set(BAD_KINDS))
    if unknown:  # fail before writing anything
        raise ValueError(f"unknown bad kinds {unknown}; known: {list(BAD_KINDS)}")
    with owner_only():
        paths = _generate(out, periode_from, periode_to, scale, seed, bad, rentan_rows)
    tighten(out)
    return paths


def _generate(out: Path, periode_from: str, periode_to: str, scale: Literal["small", "national"],
              seed: int, bad: Sequence[str], rentan_rows: int | None) -> list[Path]:
    months = months_between(periode_from, periode_to)
    regions = RegionSet(scale, seed)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []

    rows = coverage.coverage_rows(regions)
    # One month gets a correction delivery; the middle one, so it is not the edge case.
    rev_month = months[len(months) // 2]
    for year, month in months:
        ym = f"{year:04d}{month:02d}"
        records = coverage.coverage_frame(regions, rows, year, month)
        bom = stable_rng(seed, "bom", ym).random() < 0.3
        paths.append(coverage.write_kepesertaan(
            out / f"kepesertaan_{ym}.csv",
            coverage.apply_tolerated_variations(records, seed, ym), bom=bom,
        ))
        if (year, month) == rev_month:
            revised = coverage.revise(records, seed, ym)
            paths.append(coverage.write_kepesertaan(
                out / f"kepesertaan_{ym}_rev1.csv",
                coverage.apply_tolerated_variations(revised, seed, ym + "rev1"),
            ))

    n_rentan = rentan_rows if rentan_rows is not None else DEFAULT_RENTAN_ROWS[scale]
    pop = participants.build_population(regions, seed, n_rentan, len(months), months[0])
    for k, (year, month) in enumerate(months):
        table = participants.month_table(regions, pop, k, year, month)
        paths.append(participants.write_rentan(
            out / f"peserta_rentan_{year:04d}{month:02d}.csv.gz", table
        ))

    years = sorted({y for y, _ in months})
    for year in years:
        paths.append(budget.write_anggaran(out, regions, year, "murni"))
        if any(y == year and m >= budget.PERUBAHAN_FROM_MONTH for y, m in months):
            paths.append(budget.write_anggaran(out, regions, year, "perubahan"))
    for year, month in months:
        paths.append(budget.write_realisasi(out, regions, year, month))

    paths.extend(write_referensi(out, regions, years))
    paths.extend(write_bad(out, regions, months, list(bad)))
    return sorted(paths)

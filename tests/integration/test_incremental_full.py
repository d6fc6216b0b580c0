"""Incremental builds give exactly what a full refresh gives, cell for cell, after new
months and revisions went through the real ingest - including a revision of the
participant list with no double funding left, whose old double-funding rows must go.

Generated data (all sources, small scale) through the real pipeline and dbt.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from transform_support import build_ok, ingest, module_warehouse

MONTHS = ("2024-01", "2024-03")
MAR = date(2024, 3, 1)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from monev.synthetic import generate

    out = tmp_path_factory.mktemp("landing")
    return [p for p in generate(out, *MONTHS, scale="small", seed=5, rentan_rows=3000)
            if "bad" not in p.parts]


@pytest.fixture(scope="module")
def wh(
    server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with module_warehouse(server_url, template_db, tmp_path_factory.mktemp("state")) as url:
        yield url


def _without_double_funding(src: Path) -> Path:
    """The month's participant list as a _rev1 keeping each NIK's first row only."""
    dst = src.with_name(src.name.replace(".csv.gz", "_rev1.csv.gz"))
    seen: set[str] = set()
    with gzip.open(src, "rt", newline="", encoding="utf-8") as fin, \
            gzip.open(dst, "wt", newline="", encoding="utf-8") as fout:
        reader = csv.reader(fin)
        writer = csv.writer(fout)
        header = next(reader)
        writer.writerow(header)
        nik = header.index("nik")
        for row in reader:
            if row[nik] not in seen:
                seen.add(row[nik])
                writer.writerow(row)
    return dst


def _snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every relation dbt builds in intermediate and marts, as text."""
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('intermediate', 'marts') order by 1"
        )]
        return {
            n: sorted(tuple("" if v is None else str(v) for v in r)
                      for r in conn.execute(f"select * from {n}"))
            for n in names
        }


def _nik_ganda(url: str, periode: date) -> tuple[int, int, int | None]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select (select count(*) from intermediate.int_monev__nik_ganda_peserta"
            "        where periode = %(p)s),"
            " (select count(*) from marts.mart_nik_ganda where periode = %(p)s),"
            " (select nik_ganda from marts.mart_monev_wilayah_bulanan"
            "   where periode = %(p)s and kode_wilayah = '00')",
            {"p": periode},
        ).fetchone()


def _built_at(url: str) -> dict[tuple[str, date], object]:
    with psycopg.connect(url) as conn:
        return {(m, p): t for m, p, t in conn.execute(
            "select model, periode, dibangun_pada from audit.transform_periode")}


def test_incremental_equals_full_refresh(wh: str, landing: list[Path]) -> None:
    march = [p for p in landing if "202403" in p.name]
    ingest([p for p in landing if p not in march])
    build_ok()
    ingest(march)  # a new month, every source
    build_ok()
    before = _nik_ganda(wh, MAR)
    assert before[0] > 0 and before[0] == before[1] == before[2]

    # March revised: nobody is double funded any more
    rentan = next(p for p in march if p.name.startswith("peserta_rentan"))
    ingest([_without_double_funding(rentan)])
    build_ok()
    assert _nik_ganda(wh, MAR) == (0, 0, 0)

    # a build with nothing new re-reads no month (the empty month included)
    built = _built_at(wh)
    build_ok()
    assert _built_at(wh) == built

    incremental = _snapshot(wh)
    build_ok(full_refresh=True)
    full = _snapshot(wh)
    assert incremental.keys() == full.keys()
    differ = [n for n in full if incremental[n] != full[n]]
    assert not differ, differ
    assert sum(len(v) for v in full.values()) > 1000  # the comparison compared something

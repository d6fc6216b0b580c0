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

pytestmark = pytest.mark.landing

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


def _revision(src: Path, rev: int, first_row_only: bool) -> Path:
    """The month's participant list as a _rev<rev>: each NIK's first row only (no double
    funding left), or every row but the last."""
    dst = src.with_name(src.name.replace(".csv.gz", f"_rev{rev}.csv.gz"))
    with gzip.open(src, "rt", newline="", encoding="utf-8") as fin:
        rows = list(csv.reader(fin))
    header, body = rows[0], rows[1:]
    if first_row_only:
        nik, seen, kept = header.index("nik"), set(), []
        for row in body:
            if row[nik] not in seen:
                seen.add(row[nik])
                kept.append(row)
        body = kept
    else:
        body = body[:-1]
    with gzip.open(dst, "wt", newline="", encoding="utf-8") as fout:
        csv.writer(fout).writerows([header, *body])
    return dst


# The history of the builds themselves (audit.dbt_*): each build adds to it by design.
RUN_HISTORY = {"marts.mart_dbt_run_results"}


def _snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every relation dbt builds in intermediate and marts, as text."""
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('intermediate', 'marts') order by 1"
        ) if r[0] not in RUN_HISTORY]
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
    ingest([_revision(rentan, 1, first_row_only=True)])
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


def test_big_tables_are_tested_on_changed_months_and_fully_on_request(
    wh: str, landing: list[Path]
) -> None:
    """After a revision of March only, a build tests March; a broken January row is
    found by the full-history run (monev transform --full-tests), not by the build —
    as is a code outside its list in a January participant row (the gate's rule on
    every batch; dbt tests it in the full-history run only)."""
    from monev.transform.runner import build

    rentan = next(p for p in landing if p.name == "peserta_rentan_202403.csv.gz")
    ingest([_revision(rentan, 2, first_row_only=False)])
    build_ok()
    broken = ("update marts.mart_nik_ganda set kode_wilayah_domisili = null"
              " where (periode, peserta_id) = (select periode, peserta_id"
              " from marts.mart_nik_ganda where periode = '2024-01-01' limit 1)")
    bad_code = ("update raw.peserta_rentan set status = 'DIBEKUKAN'"
                " where ctid = (select ctid from raw.peserta_rentan"
                " where periode = '2024-01-01' limit 1) and periode = '2024-01-01'")
    with psycopg.connect(wh, autocommit=True) as conn:
        assert conn.execute(broken).rowcount == 1
    assert build(select=["resource_type:test"]).success
    full = build(select=["resource_type:test"], full_tests=True)
    assert not full.success
    assert {n.name for n in full.failed} == {"not_null_mart_nik_ganda_kode_wilayah_domisili"}

    # a failing staging test skips the tests downstream of it, hence a step of its own
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute("update marts.mart_nik_ganda set kode_wilayah_domisili = '00.00'"
                     " where kode_wilayah_domisili is null")
        assert conn.execute(bad_code).rowcount == 1
    assert build(select=["resource_type:test"]).success
    full = build(select=["resource_type:test"], full_tests=True)
    assert {n.name for n in full.failed} == {
        "in_code_list_stg_bpjs__peserta_rentan_status__peserta_rentan"}

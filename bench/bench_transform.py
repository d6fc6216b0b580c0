"""Benchmark (not a test): dbt full refresh vs the incremental build of one new month,
and the dashboard query set through row-level security, on national-scale synthetic
data in a scratch database of the embedded warehouse.

    .venv/bin/python bench/bench_transform.py [--months 24] [--rentan-months 3]
        [--rentan-rows 6000000] [--end 2024-12] [--repeat 50] [--dashboards-only]

Data: `--months` of coverage, budget and realisation at `--scale national`, and the
last `--rentan-months` months of the participant list (24 national months of it take
~30 GB and ~25 min to build: `--rentan-months 24 --dashboards-only`). The first
months-1 months are loaded and fully built; then the last month is delivered and built
incrementally.
Targets: incremental / full <= 0.15; dashboard p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import psycopg
from harness import quiet, scratch_warehouse
from sqlalchemy.engine import make_url

from monev import periods

NO_TESTS = ["resource_type:test", "resource_type:unit_test"]


def _generate(work: Path, months: int, rentan_months: int, rentan_rows: int, end: str):
    from monev.synthetic import generate

    first, before_end = periods.add(end, -(months - 1)), periods.add(end, -1)
    t = time.perf_counter()
    a = generate(work / "a", first, before_end, scale="national", seed=3, rentan_rows=500)
    b = generate(work / "b", periods.add(end, -(rentan_months - 1)), end, scale="national",
                 seed=3, rentan_rows=rentan_rows)
    ym_end = end.replace("-", "")
    initial = [p for p in a if "bad" not in p.parts and not p.name.startswith("peserta_rentan")]
    initial += [p for p in b if p.name.startswith("peserta_rentan") and ym_end not in p.name]
    new = [p for p in b if ym_end in p.name and "bad" not in p.parts
           and p.name.split("_")[0] in ("kepesertaan", "realisasi", "peserta")]
    print(f"generated {len(initial)} + {len(new)} files in {time.perf_counter() - t:.0f}s")
    return initial, new


def _ingest(paths: list[Path]) -> float:
    from monev.ingest.pipeline import ingest_paths

    t = time.perf_counter()
    results = ingest_paths(paths)
    bad = [(r.file_name, r.status) for r in results if not r.ok]
    if bad:
        print(f"  not loaded: {bad[:5]}")
    return time.perf_counter() - t


def _build(strict: bool = True, **kw) -> float:
    from monev.transform.runner import build

    r = build(**kw)
    if not r.success and not strict:
        print(f"    (failed: {[n.name for n in r.failed][:5]} {r.error or ''})")
    elif not r.success:
        raise SystemExit(f"dbt build failed: {[(n.name, n.message) for n in r.failed][:5]}"
                         f" {r.error or ''}")
    slow = sorted(r.models, key=lambda n: -n.seconds)[:4]
    in_models = sum(n.seconds for n in r.models)
    print(f"    {len(r.models)} models, {in_models:.1f}s inside models (2 threads); slowest: "
          + ", ".join(f"{n.name} {n.seconds:.1f}s" for n in slow))
    return r.seconds


def _queries(url: str, user: str, repeat: int) -> None:
    from monev.transform import access

    access.grant(user, None, "bench")
    prov_user = user + "_62"
    access.grant(prov_user, "62", "bench")
    with psycopg.connect(url) as conn:
        latest = conn.execute("select max(periode) from marts.mart_monev_wilayah_bulanan"
                              ).fetchone()[0]
    queries = {
        "national month": (user,
            "select * from marts.mart_monev_wilayah_bulanan"
            " where periode = %(p)s and kode_wilayah = '00'"),
        "province 24-month trend": (prov_user,
            "select periode, peserta_aktif, cakupan_persen, target_persen"
            " from marts.mart_monev_wilayah_bulanan where kode_wilayah = '62'"
            " order by periode desc limit 24"),
        "kab/kota ranking in province": (prov_user,
            "select kode_wilayah, nama_wilayah, cakupan_persen, peringkat"
            " from marts.mart_monev_wilayah_bulanan where periode = %(p)s"
            " and kode_provinsi = '62' and tingkat = 'KABKOTA' order by peringkat nulls last"),
        "province ranking": (user,
            "select kode_wilayah, cakupan_persen, peringkat from marts.mart_monev_wilayah_bulanan"
            " where periode = %(p)s and tingkat = 'PROVINSI' order by peringkat nulls last"),
        "double-funding list": (prov_user,
            "select * from marts.mart_nik_ganda where periode = %(p)s"
            " and kode_provinsi = '62' order by iuran_ganda_rp desc limit 100"),
    }
    conns = {}
    for u in (user, prov_user):
        conns[u] = psycopg.connect(
            make_url(url).set(username=u, password="bench").render_as_string(hide_password=False),
            autocommit=True)
    all_ms: list[float] = []
    try:
        for name, (u, sql) in queries.items():
            ms = []
            for _ in range(repeat):
                t = time.perf_counter()
                conns[u].execute(sql, {"p": latest}).fetchall()
                ms.append((time.perf_counter() - t) * 1000)
            all_ms += ms
            q = statistics.quantiles(ms, n=20)
            print(f"  {name:30s} p50 {statistics.median(ms):6.1f} ms  p95 {q[18]:6.1f} ms")
        q = statistics.quantiles(all_ms, n=20)
        print(f"dashboard set ({len(all_ms)} queries, as BI users through RLS): "
              f"p50 {statistics.median(all_ms):.1f} ms, p95 {q[18]:.1f} ms (target p95 <= 50 ms)")
    finally:
        for c in conns.values():
            c.close()
        access.revoke(user)
        access.revoke(prov_user)
        with psycopg.connect(url, autocommit=True) as conn:
            for u in (user, prov_user):
                conn.execute(f'DROP OWNED BY "{u}"')
                conn.execute(f'DROP ROLE IF EXISTS "{u}"')


def _history(url: str, work: Path, months: int, rentan_months: int, rentan_rows: int,
             end: str) -> tuple[list[Path], float]:
    """Generate the data, load all but the last month and build it in full; the last
    month's files and the full build's seconds."""
    print(f"{months} months coverage+budget, last {rentan_months} months of "
          f"participants at {rentan_rows:,} rows/month")
    initial, new = _generate(work, months, rentan_months, rentan_rows, end)
    print(f"ingest initial: {_ingest(initial):.0f}s")
    with psycopg.connect(url) as conn:
        n = conn.execute("select (select count(*) from raw.kepesertaan),"
                         " (select count(*) from raw.peserta_rentan)").fetchone()
    print(f"raw: {n[0]:,} kepesertaan rows, {n[1]:,} peserta_rentan rows")
    return new, _build(full_refresh=True, exclude=NO_TESTS)


def dashboards_warehouse(url: str, work: Path, months: int, rentan_months: int,
                         rentan_rows: int, end: str) -> None:
    """The marts the dashboards are measured on (`--dashboards-only`, and
    bench_bi.py): the history built once, then the last month incrementally."""
    new, full_models = _history(url, work, months, rentan_months, rentan_rows, end)
    print(f"full build: models {full_models:.1f}s")
    print(f"ingest new month: {_ingest(new):.0f}s")
    print(f"incremental (new month): models {_build(exclude=NO_TESTS):.1f}s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--rentan-months", type=int, default=3)
    ap.add_argument("--rentan-rows", type=int, default=6_000_000)
    ap.add_argument("--end", default="2024-12")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--dashboards-only", action="store_true",
                    help="build the models once and the new month, then only the dashboard"
                         " queries (e.g. --rentan-months 24: the dashboards over 24 national"
                         " months, without a second full build)")
    args = ap.parse_args()
    quiet()

    with scratch_warehouse("monev_bench_transform") as (_, url, work):
        if args.dashboards_only:
            dashboards_warehouse(url, work, args.months, args.rentan_months, args.rentan_rows,
                                 args.end)
            _queries(url, "bench_bi_user", args.repeat)
            return
        new, full_models = _history(url, work, args.months, args.rentan_months,
                                    args.rentan_rows, args.end)
        # data tests re-run on whole tables; unit tests are data-independent: left out
        full_all = _build(strict=False, full_refresh=True, exclude=["test_type:unit"])
        print(f"full refresh: models {full_models:.1f}s; with all tests {full_all:.1f}s")
        print(f"ingest new month: {_ingest(new):.0f}s")
        inc_models = _build(exclude=NO_TESTS)
        print(f"incremental (new month): models {inc_models:.1f}s "
              f"-> ratio {inc_models / full_models:.3f} (target <= 0.15)")
        inc_all = _build(strict=False, exclude=["test_type:unit"])
        print(f"incremental re-run with all tests (nothing new): {inc_all:.1f}s "
              f"-> ratio vs full with tests {inc_all / full_all:.3f}")
        _queries(url, "bench_bi_user", args.repeat)


if __name__ == "__main__":
    main()

"""Benchmark (not a test): build all 39 report sets (national + 38 provinces) for one
month and print the time. Target: <= 60 s on 2 cores.

With --semester YYYY-H: the semester report (national + 38 annexes) against the 39
monthly sets of the semester's last month, side by side. Target: <= 1.5x.

Uses the real marts of the warehouse if they hold the month, else a scratch database
on the same server with fixture marts at national size (38 provinces, 514 kab/kota
from raw.wilayah / the shipped region reference).

    .venv/bin/python bench/bench_reports.py [--periode 2025-03] [--fixture] [--keep DIR]
    .venv/bin/python bench/bench_reports.py --semester 2025-1 [--fixture]

`--provinces N`: fixture marts of the first N provinces only (N + 1 sets; a smaller run
while others share the machine; figures are per set comparable, not the target's).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from harness import quiet
from sqlalchemy.engine import make_url


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _pages(pdfs: list[Path]) -> int:
    import subprocess

    total = 0
    for pdf in pdfs:  # poppler's pdfinfo (installed with pdftotext)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        total += next((int(line.split()[-1]) for line in info.splitlines()
                       if line.startswith("Pages:")), 0)
    return total


def _has_real_marts(url: str, periode: str) -> bool:
    with psycopg.connect(url) as conn:
        if not conn.execute(
            "SELECT to_regclass('marts.mart_monev_wilayah_bulanan') IS NOT NULL"
        ).fetchone()[0]:
            return False
        return bool(conn.execute(
            "SELECT count(*) FROM marts.mart_monev_wilayah_bulanan"
            " WHERE periode = to_date(%s, 'YYYY-MM')", (periode,)).fetchone()[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--periode", default="2025-03")
    ap.add_argument("--fixture", action="store_true", help="always use fixture marts")
    ap.add_argument("--keep", type=Path, help="keep the reports in this folder")
    ap.add_argument("--provinces", type=int, help="fixture marts of the first N provinces")
    ap.add_argument("--semester", help="YYYY-H: time the semester report against the 39"
                    " monthly sets of its last month")
    args = ap.parse_args()
    months = 13
    if args.semester:
        from monev.periods import Semester

        last = Semester.parse(args.semester).last
        args.periode = last.strftime("%Y-%m")
        months = 19  # the semester, the month before, the same semester a year before
    quiet()

    from monev.config import PROJECT_ROOT, reset_settings
    from monev.reports.data import parse_periode
    from monev.warehouse import db
    from monev.warehouse.migrate import migrate

    sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # the fixture marts are the tests'
    from sample_marts import create_fixture_marts, reference_regions

    url = db.ensure_warehouse()
    scratch = None
    if args.fixture or args.provinces or not _has_real_marts(url, args.periode):
        scratch = f"monev_bench_reports_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        bench_url = make_url(url).set(database=scratch).render_as_string(hide_password=False)
        with psycopg.connect(bench_url, autocommit=True) as conn:
            migrate(conn)
            regions = reference_regions(conn)
        if args.provinces:
            keep = sorted({r.kode_provinsi for r in regions})[:args.provinces]
            regions = [r for r in regions if r.kode_provinsi in keep]
        with psycopg.connect(bench_url) as conn:
            create_fixture_marts(conn, parse_periode(args.periode), regions=regions,
                                 months=months)
        os.environ["WAREHOUSE_URL"] = bench_url
        reset_settings()
        print(f"fixture marts: {sum(r.tingkat == 'PROVINSI' for r in regions)} provinces, "
              f"{sum(r.tingkat != 'PROVINSI' for r in regions)} kab/kota")
    else:
        print("real marts of the warehouse")
    out = args.keep or Path(tempfile.mkdtemp(prefix="bench_reports_"))
    try:
        from monev.reports.build import build_reports

        t = time.perf_counter()
        cpu0 = _cpu()
        runs = build_reports(args.periode, out=out)
        elapsed = time.perf_counter() - t
        cpu = _cpu() - cpu0
        ok = sum(r.status == "built" for r in runs)
        size = sum(f["bytes"] for r in runs for f in r.files) / 1e6
        slowest = max(runs, key=lambda r: r.seconds)
        print(f"built {ok}/{len(runs)} report sets for {args.periode} in {elapsed:.1f}s "
              f"({size:.1f} MB; slowest {slowest.scope} {slowest.seconds:.1f}s; "
              f"workers {os.environ.get('MONEV_REPORT_WORKERS', '2')}) target <= 60s")
        # Wall time depends on what else runs on the machine; CPU time does not.
        print(f"cpu {cpu:.1f}s = {cpu / 2:.1f}s of wall time on 2 idle cores; "
              f"load average now {os.getloadavg()[0]:.1f}")
        if args.semester:
            from monev.reports.semester_build import build_semester

            t = time.perf_counter()
            cpu0 = _cpu()
            sem = build_semester(args.semester, out=out)
            s_elapsed = time.perf_counter() - t
            s_cpu = _cpu() - cpu0
            s_ok = sum(r.status == "built" for r in sem)
            pages = _pages([r.path(".pdf") for r in sem if r.path(".pdf")])
            print(f"semester {args.semester}: built {s_ok}/{len(sem)} in {s_elapsed:.1f}s"
                  f" (cpu {s_cpu:.1f}s; {pages} PDF pages)")
            print(f"semester / monthly ({args.periode}): wall {s_elapsed / elapsed:.2f}x,"
                  f" cpu {s_cpu / cpu:.2f}x  target <= 1.5x")
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
        if scratch:
            os.environ.pop("WAREHOUSE_URL", None)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


if __name__ == "__main__":
    main()

"""Benchmark (not a test): ingest rate of a peserta_rentan file against a plain
`psql \\copy` of the same file into an all-text table, side by side in the same run, on
the embedded warehouse (a scratch database), at each size given (default 2 M and
10 M rows). Target: ingest >= 0.5 x raw COPY, gate included; peak memory of the
ingesting process <= 2 GiB at 10 M rows (files are generated in a child process, so
the peak printed is the ingest's).

    .venv/bin/python bench/bench_ingest.py [--rows 2000000 10000000] [--file F]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from harness import quiet, scratch_warehouse

from monev.warehouse import db


def _make_file(out: Path, rows: int, month: str) -> Path:
    t = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("monev")), "generate", "--out", str(out),
                    "--from", month, "--to", month, "--scale", "small", "--seed", "7",
                    "--rentan-rows", str(rows)], check=True, stdout=subprocess.DEVNULL)
    path = next(out.glob("peserta_rentan_*.csv.gz"))
    print(f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB gz "
          f"in {time.perf_counter() - t:.1f}s")
    return path


def _psql_copy(psql: Path, url: str, path: Path) -> tuple[int, float]:
    """Plain \\copy of the gunzipped file into an untyped table (the yardstick)."""
    plain = path.with_suffix("")  # .csv
    with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    cols = ", ".join(f"c{i} text" for i in range(12))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.bench_raw")
        conn.execute(f"CREATE TABLE public.bench_raw ({cols})")
    t = time.perf_counter()
    subprocess.run(
        [str(psql), url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
         f"\\copy public.bench_raw FROM '{plain}' WITH (FORMAT csv, HEADER true)"],
        check=True,
    )
    secs = time.perf_counter() - t
    with psycopg.connect(url, autocommit=True) as conn:
        n = conn.execute("SELECT count(*) FROM public.bench_raw").fetchone()[0]
        conn.execute("DROP TABLE public.bench_raw")
    plain.unlink()
    return n, secs


def _one(c, url: str, path: Path) -> None:
    from monev.ingest.pipeline import ingest_file

    n_raw, s_raw = _psql_copy(c.bin_dir / "psql", url, path)
    t = time.perf_counter()
    result = ingest_file(path)
    s_ing = time.perf_counter() - t
    if result.status != "loaded":
        raise SystemExit(f"ingest status {result.status}: "
                         f"{[e.message for e in result.errors][:3]}")
    raw_rate, ing_rate = n_raw / s_raw, result.rows / s_ing
    print(f"  psql \\copy (untyped): {n_raw:,} rows in {s_raw:.2f}s = {raw_rate:,.0f} rows/s")
    print(f"  monev ingest_file   : {result.rows:,} rows in {s_ing:.2f}s = {ing_rate:,.0f} rows/s"
          f" (gate included)")
    print(f"  ratio ingest / raw COPY = {ing_rate / raw_rate:.2f} (target >= 0.50)")
    print("  phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of the ingesting process so far: {peak:,.0f} MiB (target <= 2048)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[2_000_000, 10_000_000])
    ap.add_argument("--file", type=Path, help="use this peserta_rentan file instead of generating")
    args = ap.parse_args()
    quiet()

    with scratch_warehouse("monev_bench_ingest") as (c, url, work):
        db.ensure_warehouse(url)
        from monev.ingest.pipeline import ensure_reference

        with db.connect(autocommit=True) as conn:
            ensure_reference(conn)  # bootstrap outside the timing
        sizes = [None] if args.file else args.rows
        for k, rows in enumerate(sizes):
            # one month per size: each is a new delivery, not a revision of the last
            path = args.file or _make_file(work / f"landing{k}", rows, f"2024-{k + 1:02d}")
            print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB gz")
            _one(c, url, path)
            if not args.file:
                path.unlink()


if __name__ == "__main__":
    main()

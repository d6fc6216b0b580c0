"""Benchmark (not a test): does a new national month cost the same in year three as in
month two? Builds national history once into a scratch database of the embedded
warehouse, then times one new month per stage (ingest, transform, reports) at two
history lengths, a revision of the last month, and a full refresh of every month.

    .venv/bin/python bench/bench_national_month.py [--rows 6000000] [--short 3]
        [--long 12] [--start 2024-01] [--no-reports]

Data: `monev generate --scale national` for months start .. start+long, `--rows`
participant rows a month. Months 1..short are loaded and fully built; month short+1 is
the new month at `short` months of history; months up to `long` are then loaded and
built; month long+1 is the new month at `long` months. Each new month is every source
of that month (the generator's files), ingested, transformed incrementally (models and
the data tests of the changed months), and reported (national + every province).
Printed: seconds per stage and the ratios (target: long ÷ short <= 1.25 per stage;
incremental month ÷ full refresh <= 1.5 ÷ months), the revision, database size against
the raw participant partitions (target <= 2x) with bytes per participant row, dashboard
p95 through RLS, and this process's peak memory (ingest runs in it).
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
from bench_transform import _queries
from harness import quiet, scratch_warehouse, settle

from monev import periods

NO_UNIT_TESTS = ["test_type:unit"]  # data-independent; the suite runs them


def _month_files(files: list[Path], ym: str) -> list[Path]:
    tag = ym.replace("-", "")
    return [p for p in files if tag in p.name and "bad" not in p.parts and "_rev" not in p.name]


def _ingest(paths: list[Path]) -> float:
    from monev.ingest.pipeline import ingest_paths

    t = time.perf_counter()
    results = ingest_paths(paths)
    bad = [(r.file_name, r.status) for r in results if not r.ok]
    if bad:
        raise SystemExit(f"not loaded: {bad[:5]}")
    seconds = time.perf_counter() - t
    for p in paths:  # the disk holds the raw partitions, not the deliveries too
        if p.name.startswith("peserta_rentan"):
            p.unlink()
    return seconds


def _transform(full_refresh: bool = False) -> float:
    from monev.transform.runner import build

    r = build(full_refresh=full_refresh, exclude=NO_UNIT_TESTS)
    if not r.success:
        raise SystemExit(f"dbt build failed: {[(n.name, n.message) for n in r.failed][:5]}"
                         f" {r.error or ''}")
    slow = sorted(r.nodes, key=lambda n: -n.seconds)[:5]
    print("    slowest: " + ", ".join(f"{n.name} {n.seconds:.1f}s" for n in slow))
    return r.seconds


def _reports(ym: str, out: Path) -> float:
    from monev.reports.build import build_reports

    t = time.perf_counter()
    runs = build_reports(ym, out=out)
    failed = [r.scope for r in runs if r.status == "failed"]
    if failed:
        raise SystemExit(f"reports failed for {failed[:5]}")
    return time.perf_counter() - t


def _settled(url: str) -> None:
    waited = settle(url)
    if waited > 1:
        print(f"  (waited {waited:.0f}s for autovacuum to finish first)")


def _new_month(files: list[Path], ym: str, work: Path, reports: bool,
               url: str) -> dict[str, float]:
    _settled(url)
    t = {"ingest": _ingest(_month_files(files, ym)), "transform": _transform()}
    if reports:
        t["reports"] = _reports(ym, work / "reports")
    print(f"  new month {ym}: " + ", ".join(f"{k} {v:.1f}s" for k, v in t.items()))
    return t


def _revise_rentan(files: list[Path], ym: str, work: Path) -> Path:
    """rev1 of the month's participant list: the delivery minus its last row."""
    tag = ym.replace("-", "")
    src = work / "rev_source" / f"peserta_rentan_{tag}.csv.gz"
    dst = work / "rev" / f"peserta_rentan_{tag}_rev1.csv.gz"
    dst.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(src, "rb") as fin, gzip.open(dst, "wb", compresslevel=1) as fout:
        previous = None
        for line in fin:
            if previous is not None:
                fout.write(previous)
            previous = line
    return dst


def _revise_kepesertaan(files: list[Path], ym: str, work: Path) -> Path:
    """rev1 of the month's coverage file: one kab/kota row with one active worker fewer."""
    tag = ym.replace("-", "")
    src = next(p for p in files if p.name == f"kepesertaan_{tag}.csv")
    dst = work / "rev" / f"kepesertaan_{tag}_rev1.csv"
    raw = src.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    sep = ";" if ";" in lines[0] else ","
    header = lines[0].split(sep)
    aktif = header.index("tk_aktif")
    for i in range(1, len(lines)):
        cells = lines[i].split(sep)
        if cells[aktif].isdigit() and int(cells[aktif]) > 0:
            cells[aktif] = str(int(cells[aktif]) - 1)
            lines[i] = sep.join(cells)
            break
    dst.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return dst


def _sizes(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        db_bytes = conn.execute("select pg_database_size(current_database())").fetchone()[0]
        raw_bytes = conn.execute(
            "select coalesce(sum(pg_total_relation_size(inhrelid)), 0) from pg_inherits"
            " where inhparent = 'raw.peserta_rentan'::regclass").fetchone()[0]
        rows = conn.execute("select count(*) from raw.peserta_rentan").fetchone()[0]
    return db_bytes, raw_bytes, rows


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=6_000_000, help="participant rows a month")
    ap.add_argument("--short", type=int, default=3, help="months of history, first timing")
    ap.add_argument("--long", type=int, default=12, help="months of history, second timing")
    ap.add_argument("--start", default="2024-01")
    ap.add_argument("--no-reports", dest="reports", action="store_false")
    ap.add_argument("--repeat", type=int, default=50, help="dashboard queries per kind")
    args = ap.parse_args()
    if not 1 <= args.short < args.long:
        raise SystemExit("need 1 <= --short < --long")
    quiet()
    months = [periods.add(args.start, k) for k in range(args.long + 1)]

    with scratch_warehouse("monev_bench_national") as (_, url, work):
        t = time.perf_counter()
        # in its own process, so the peak memory printed below is the pipeline's
        subprocess.run([str(Path(sys.executable).with_name("monev")), "generate",
                        "--out", str(work / "landing"), "--from", months[0], "--to", months[-1],
                        "--scale", "national", "--seed", "7", "--rentan-rows", str(args.rows)],
                       check=True, stdout=subprocess.DEVNULL)
        files = sorted(p for p in (work / "landing").rglob("*") if p.is_file())
        # the revision is built from the last month's delivery, which ingest deletes
        last = months[-1].replace("-", "")
        (work / "rev_source").mkdir()
        shutil.copy(next(p for p in files if p.name == f"peserta_rentan_{last}.csv.gz"),
                    work / "rev_source")
        print(f"generated {len(months)} national months, {args.rows:,} participant rows"
              f" a month, in {time.perf_counter() - t:.0f}s")

        history = months[:args.short]
        first = [p for p in files if "bad" not in p.parts and "_rev" not in p.name
                 and not any(ym.replace("-", "") in p.name for ym in months[args.short:])]
        print(f"history of {args.short} months: ingest {_ingest(first):.0f}s")
        full_short = _transform(full_refresh=True)
        print(f"  full build of {len(history)} months: {full_short:.1f}s")
        at_short = _new_month(files, months[args.short], work, args.reports, url)

        t_ing = sum(_ingest(_month_files(files, ym)) for ym in months[args.short + 1:args.long])
        t_tr = _transform()
        print(f"history to {args.long} months: ingest {t_ing:.0f}s, transform {t_tr:.1f}s")
        at_long = _new_month(files, months[args.long], work, args.reports, url)

        print(f"revision of {months[-1]} (peserta_rentan and kepesertaan _rev1):")
        _settled(url)
        rev = {"ingest": _ingest([_revise_rentan(files, months[-1], work),
                                  _revise_kepesertaan(files, months[-1], work)]),
               "transform": _transform()}
        print("  " + ", ".join(f"{k} {v:.1f}s" for k, v in rev.items()))

        n = len(months)
        _settled(url)
        full = _transform(full_refresh=True)
        print(f"full refresh of {n} months: {full:.1f}s")
        db_bytes, raw_bytes, rows = _sizes(url)
        _queries(url, "bench_nat_user", args.repeat)

        print("\n=== summary ===")
        for stage in at_long:
            print(f"{stage:9s} month at {args.short:2d} months {at_short[stage]:7.1f}s, at "
                  f"{args.long:2d} months {at_long[stage]:7.1f}s -> ratio "
                  f"{_ratio(at_long[stage], at_short[stage])} (target <= 1.25)")
        print(f"incremental month ÷ full refresh of {n} months: "
              f"{_ratio(at_long['transform'], full)} (target <= {1.5 / n:.3f})")
        new_cost = at_long["ingest"] + at_long["transform"]
        print(f"revision ingest+transform {rev['ingest'] + rev['transform']:.1f}s vs new month "
              f"{new_cost:.1f}s -> ratio {_ratio(rev['ingest'] + rev['transform'], new_cost)}"
              " (target <= 1)")
        print(f"database {db_bytes / 2**30:.2f} GiB, raw participant partitions "
              f"{raw_bytes / 2**30:.2f} GiB -> {_ratio(db_bytes, raw_bytes)}x (target <= 2); "
              f"bytes per participant row: raw {raw_bytes / max(rows, 1):.0f}, "
              f"whole database {db_bytes / max(rows, 1):.0f} ({rows:,} rows)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process (ingest, dbt, reports): {peak:.0f} MiB")


if __name__ == "__main__":
    main()

"""Benchmark (not a test): `monev warehouse backup` / `restore` against pg_dump /
pg_restore run by hand on the same database (same flags: -Fd -j 2, --clean --if-exists),
with and without copying the two file archives by hand (`cp -a`); and `monev rebuild` of
one month from the delivery archive against that month's original ingest + transform,
side by side in one run, on scratch databases of the embedded cluster.
Targets: backup and restore <= 1.1 x by hand; rebuild <= 1.2 x the original.

    .venv/bin/python bench/bench_backup.py [--months 3] [--scale small|national]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path
from statistics import median

import psycopg
from scratch import quiet, scratch_warehouse
from sqlalchemy.engine import make_url

from monev.config import reset_settings, settings
from monev.warehouse import backup, cluster, db


def _use(url: str, **dirs: Path) -> None:
    """Point every package call at database `url` and the given folders."""
    os.environ["WAREHOUSE_URL"] = url
    for name, path in dirs.items():
        os.environ[name] = str(path)
    reset_settings()
    db.forget_ready()


def _new_db(admin: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    db.ensure_warehouse(url)  # migrated and empty, as `monev warehouse up` leaves it
    return url


def _drop_db(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _ingest(paths: list[Path]) -> float:
    from monev.ingest.pipeline import ingest_paths

    def run() -> None:
        bad = [(r.file_name, r.status) for r in ingest_paths(paths) if not r.ok]
        if bad:
            raise SystemExit(f"not loaded: {bad[:5]}")
    return _timed(run)


def _build() -> float:
    from monev.transform.runner import build

    def run() -> None:
        r = build()
        if not r.success:
            raise SystemExit(f"dbt build failed: {[n.name for n in r.failed][:5]} {r.error}")
    return _timed(run)


def _by_hand(tool: str, args: list[str], url: str) -> float:
    """The tool as an operator would run it, connection in libpq's environment."""
    with backup.libpq_env(url) as env:
        return _timed(lambda: subprocess.run(
            [str(cluster.find_bin_dir(settings()) / tool), *args], env=env, check=True))


def _cp(src: Path, dst: Path) -> float:
    return _timed(lambda: subprocess.run(["cp", "-a", str(src), str(dst)], check=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--scale", choices=("small", "national"), default="small")
    ap.add_argument("--end", default="2025-03", help="last month, YYYY-MM")
    ap.add_argument("--repeat", type=int, default=3, help="backup/restore pairs (median)")
    args = ap.parse_args()
    quiet()
    from bench_transform import _month_add

    from monev.reports.build import build_reports
    from monev.synthetic import generate
    from monev.transform.rebuild import rebuild

    first = _month_add(args.end, -(args.months - 1))
    with scratch_warehouse("monev_bench_backup") as (c, url, work):
        admin = c.url
        landing = work / "landing"
        files = [p for p in generate(landing, first, args.end, scale=args.scale, seed=5)
                 if "bad" not in p.relative_to(landing).parts and p.name != "MANIFEST.json"]
        month1 = [p for p in files if first.replace("-", "") in p.name
                  or p.name.startswith("anggaran")]
        reports, archive = work / "reports", work / "archive"
        _use(url, MONEV_REPORTS_DIR=reports, MONEV_ARCHIVE_DIR=archive,
             MONEV_PSEUDONYM_KEY="bench")
        db.ensure_warehouse(url)
        # the original: month 1 into the empty warehouse, then the transform (the quality
        # gate's libraries imported first, as the rebuild below finds them imported)
        import monev.quality.gate  # noqa: F401
        ingest1, build1 = _ingest(month1), _build()
        rest = [p for p in files if p not in month1]
        _ingest(rest)
        _build()
        build_reports(args.end)
        deliveries = archive / "deliveries"
        for p in files:  # as the ingest's delivery archive keeps them
            (deliveries / p.parent.relative_to(landing)).mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, deliveries / p.relative_to(landing))
        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        print(f"{args.months} {args.scale} months ({first}..{args.end}): database"
              f" {size / 1e6:.1f} MB, reports {_du(reports) / 1e6:.1f} MB,"
              f" deliveries {_du(deliveries) / 1e6:.1f} MB")

        # backup and restore, ours and by hand alternately (which goes first changes
        # what the page cache holds), `--repeat` times; medians
        b_ours, b_dump, b_cp, r_ours_t, r_pgr, r_cp = [], [], [], [], [], []
        for i in range(args.repeat):
            for ours_first in ((True, False) if i % 2 == 0 else (False, True)):
                if ours_first:
                    _use(url, MONEV_REPORTS_DIR=reports, MONEV_ARCHIVE_DIR=archive)
                    shutil.rmtree(work / "b_ours", ignore_errors=True)
                    ours = backup.backup(work / "b_ours")
                    b_ours.append(sum(ours.seconds.values()))
                else:
                    hand = work / "b_hand"
                    shutil.rmtree(hand, ignore_errors=True)
                    hand.mkdir()
                    b_dump.append(_by_hand("pg_dump", ["--format=directory", "--jobs=2",
                                                       f"--file={hand / 'database'}"], url))
                    b_cp.append(_cp(reports, hand / "reports")
                                + _cp(deliveries, hand / "deliveries"))
            for ours_first in ((True, False) if i % 2 == 0 else (False, True)):
                if ours_first:
                    url_r = _new_db(admin, "monev_bench_backup_r")
                    for d in ("r_reports", "r_archive"):
                        shutil.rmtree(work / d, ignore_errors=True)
                    _use(url_r, MONEV_REPORTS_DIR=work / "r_reports",
                         MONEV_ARCHIVE_DIR=work / "r_archive")
                    r_ours = backup.restore(work / "b_ours")
                    r_ours_t.append(sum(r_ours.seconds.values()))
                else:
                    url_h = _new_db(admin, "monev_bench_backup_h")
                    for d in ("h_reports", "h_deliveries"):
                        shutil.rmtree(work / d, ignore_errors=True)
                    r_pgr.append(_by_hand(
                        "pg_restore", ["--clean", "--if-exists", "--exit-on-error", "--jobs=2",
                                       "--dbname=monev_bench_backup_h",
                                       str(work / "b_hand" / "database")], url_h))
                    r_cp.append(_cp(work / "b_hand" / "reports", work / "h_reports")
                                + _cp(work / "b_hand" / "deliveries", work / "h_deliveries"))
        t_ours, t_dump, t_cp = median(b_ours), median(b_dump), median(b_cp)
        t_rours, t_pgr, t_rcp = median(r_ours_t), median(r_pgr), median(r_cp)
        hand = work / "b_hand"
        s_ours, s_hand, s_dump = _du(work / "b_ours"), _du(hand), _du(hand / "database")

        # rebuild of month 1 from an archive holding it, into a new empty warehouse
        url_b = _new_db(admin, "monev_bench_backup_b")
        one = work / "one" / "deliveries"
        for p in month1:
            one.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, one / p.name)
        _use(url_b, MONEV_ARCHIVE_DIR=work / "one")
        t_rebuild = _timed(lambda: rebuild())
        # the original once more, now as warm as the rebuild was (dbt's parse cached,
        # the files in the page cache): month 1 into another empty warehouse
        url_o = _new_db(admin, "monev_bench_backup_o")
        _use(url_o)
        ingest1w, build1w = _ingest(month1), _build()
        for name in ("r", "h", "b", "o"):
            _drop_db(admin, f"monev_bench_backup_{name}")
        _use(url)

    def row(what: str, a: float, b: float, target: str) -> None:
        print(f"{what:<46} {a:9.2f} {b:9.2f} {a / b:7.2f}  {target}")

    print(f"\n{'':<46} {'monev':>9} {'by hand':>9} {'ratio':>7}  target")
    row("backup s (vs pg_dump alone)", t_ours, t_dump, "")
    row("backup s (vs pg_dump + cp -a of archives)", t_ours, t_dump + t_cp, "<= 1.1")
    row("backup size MB (vs pg_dump + archives)", s_ours / 1e6, s_hand / 1e6, "")
    row("  of it the database dump MB", s_dump / 1e6, s_dump / 1e6, "")
    row("restore s (vs pg_restore alone)", t_rours, t_pgr, "")
    row("restore s (vs pg_restore + cp -a)", t_rours, t_pgr + t_rcp, "<= 1.1")
    row("rebuild of month 1 s (vs ingest + transform)", t_rebuild, ingest1 + build1, "<= 1.2")
    row("  the same vs the original run again, warm", t_rebuild, ingest1w + build1w, "<= 1.2")
    print(f"  monev backup runs s: {', '.join(f'{v:.2f}' for v in b_ours)}; by hand"
          f" {', '.join(f'{a + b:.2f}' for a, b in zip(b_dump, b_cp, strict=True))}")
    print(f"  monev restore runs s: {', '.join(f'{v:.2f}' for v in r_ours_t)}; by hand"
          f" {', '.join(f'{a + b:.2f}' for a, b in zip(r_pgr, r_cp, strict=True))}")
    print(f"  last monev backup steps: "
          f"{', '.join(f'{k} {v:.2f}' for k, v in ours.seconds.items())}; restore steps: "
          f"{', '.join(f'{k} {v:.2f}' for k, v in r_ours.seconds.items())}")
    print(f"  original month 1: ingest {ingest1:.2f} s, transform {build1:.2f} s (first in"
          f" the process); again after the rebuild: {ingest1w:.2f} s + {build1w:.2f} s")


if __name__ == "__main__":
    main()

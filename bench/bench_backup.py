"""Benchmark (not a test): `monev warehouse backup` / `restore` against pg_dump /
pg_restore run by hand on the same database (same flags: -Fd -j 2, --clean --if-exists),
with and without copying the two file archives by hand (`cp -a`); and `monev rebuild` of
one month from the delivery archive against that month's original ingest + transform,
side by side in one run, on scratch databases of the embedded cluster.
Targets: backup and restore <= 1.1 x by hand; rebuild <= 1.2 x the original.

    .venv/bin/python bench/bench_backup.py [--months 12] [--scale small|national]
        [--rentan-rows N] [--repeat 1]   (pairs of each comparison; medians)

One month is real: generated (`monev.synthetic`), ingested (which archives its
deliveries) and built; the rebuild is timed from that month's own delivery archive.
The other `--months - 1` months are copies of it made at the database level — every row
of every table with a `periode` date column (the raw participant partitions, the other
raw tables, the marts) inserted again with the month shifted, partitions created as the
ingest creates them — and of its archived deliveries and report folder under the other
months' names. Backup and restore read and write bytes and rows; their cost does not
depend on the values, so the copies stand for months generated and ingested one by one
(hours at national size on this machine). Tables whose keys do not include `periode`
(audit rows: a few hundred) are not copied; the bench prints which.
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
from harness import quiet, scratch_warehouse
from psycopg import sql
from sqlalchemy.engine import make_url

from monev import periods
from monev.config import reset_settings, settings
from monev.warehouse import backup, cluster, db

# the manifest's signing key (a backup is signed as `monev warehouse backup` signs it)
SIGNING = backup.signing_key(b"bench-key")


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


def _steps(outcome: backup.Outcome) -> str:
    """Where a backup's or restore's time went, printed with each run (a run stopped
    before its summary keeps its split)."""
    return ", ".join(f"{k} {v:.1f} s" for k, v in outcome.seconds.items())


def _cp(src: Path, dst: Path) -> float:
    return _timed(lambda: subprocess.run(["cp", "-a", str(src), str(dst)], check=True))


def _replicate(url: str, first: str, months: int) -> list[str]:
    """Copy month `first`'s rows into the next `months - 1` months (see the docstring);
    the tables not copied (a key without `periode`)."""
    skipped: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT c.oid::regclass::text, c.relkind = 'p' FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'periode'"
            " AND a.atttypid = 'date'::regtype AND NOT a.attisdropped"
            " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " ORDER BY 1").fetchall()
        for table, partitioned in tables:
            cols = [r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                " AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                (table,))]
            target = sql.SQL(", ").join(map(sql.Identifier, cols))
            try:
                with conn.transaction():
                    for k in range(1, months):
                        month = periods.add(first, k)
                        value = f"{month}-01"
                        if partitioned:
                            schema, parent = table.split(".")
                            conn.execute(sql.SQL(
                                "CREATE TABLE {} PARTITION OF {} FOR VALUES IN ({})").format(
                                sql.Identifier(schema, f"{parent}_p{month.replace('-', '')}"),
                                sql.Identifier(schema, parent), sql.Literal(value)))
                        select = sql.SQL(", ").join(
                            sql.Literal(value) + sql.SQL("::date") if c == "periode"
                            else sql.Identifier(c) for c in cols)
                        conn.execute(sql.SQL(
                            "INSERT INTO {t} ({c}) SELECT {s} FROM {t} WHERE periode = {f}"
                        ).format(t=sql.SQL(table), c=target, s=select,
                                 f=sql.Literal(f"{first}-01")))
            except psycopg.errors.UniqueViolation:
                skipped.append(table)
        conn.execute("VACUUM ANALYZE")
    return skipped


def _replicate_files(folder: Path, first: str, months: int) -> None:
    """Copies of month `first`'s files and folders directly in `folder` (its tag in the
    name: `202501` for deliveries, `2025-01` for a report folder) for the next months."""
    for tag, dash in ((first.replace("-", ""), False), (first, True)):
        for p in sorted(q for q in folder.iterdir() if tag in q.name):
            for k in range(1, months):
                m = periods.add(first, k)
                q = p.with_name(p.name.replace(tag, m if dash else m.replace("-", "")))
                if p.is_dir():
                    shutil.copytree(p, q, symlinks=True)
                else:
                    shutil.copy2(p, q)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=12, help="months held in the warehouse")
    ap.add_argument("--scale", choices=("small", "national"), default="national")
    ap.add_argument("--first", default="2025-01", help="the real month, YYYY-MM")
    ap.add_argument("--rentan-rows", type=int, default=None,
                    help="participant rows of the month (the generator's default)")
    ap.add_argument("--repeat", type=int, default=1, help="backup/restore pairs (median)")
    args = ap.parse_args()
    quiet()
    from monev.reports.build import build_reports
    from monev.synthetic import generate
    from monev.transform.rebuild import rebuild

    first = args.first
    t0 = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - t0:6.0f}s] {text}", flush=True)

    with scratch_warehouse("monev_bench_backup") as (c, url, work):
        admin = c.url
        landing = work / "landing"
        files = [p for p in generate(landing, first, first, scale=args.scale, seed=5,
                                     rentan_rows=args.rentan_rows)
                 if "bad" not in p.relative_to(landing).parts and p.name != "MANIFEST.json"]
        say(f"generated {first} ({args.scale}): {len(files)} files,"
            f" {sum(p.stat().st_size for p in files) / 1e6:.0f} MB")
        reports, archive = work / "reports", work / "archive"
        _use(url, MONEV_REPORTS_DIR=reports, MONEV_ARCHIVE_DIR=archive,
             MONEV_PSEUDONYM_KEY="bench")
        db.ensure_warehouse(url)
        # the original: the month into the empty warehouse (its deliveries archived as
        # they are published), then the transform (the quality gate's libraries imported
        # first, as the rebuild below finds them imported)
        import monev.quality.gate  # noqa: F401
        ingest1, build1 = _ingest(files), _build()
        say(f"original: ingest {ingest1:.1f} s, transform {build1:.1f} s")
        deliveries = archive / "deliveries"

        # rebuild of the month from a copy of its delivery archive, into a new empty
        # warehouse, against the original once more, now as warm as the rebuild was
        # (dbt's parse cached, the files in the page cache), into another empty warehouse;
        # `--repeat` pairs, alternated, medians (one month's transform varies by a third
        # from run to run on two cores)
        shutil.copytree(deliveries, work / "one" / "deliveries")
        t_rebuilds, t_warm = [], []
        for i in range(args.repeat):
            for rebuild_first in ((True, False) if i % 2 == 0 else (False, True)):
                if rebuild_first:
                    _use(_new_db(admin, "monev_bench_backup_b"),
                         MONEV_ARCHIVE_DIR=work / "one")
                    t = time.perf_counter()
                    if not rebuild().ok:
                        raise SystemExit("rebuild failed")
                    t_rebuilds.append(time.perf_counter() - t)
                    say(f"rebuild from the archive: {t_rebuilds[-1]:.1f} s")
                else:
                    url_o = _new_db(admin, "monev_bench_backup_o")
                    shutil.rmtree(work / "archive_o", ignore_errors=True)
                    _use(url_o, MONEV_ARCHIVE_DIR=work / "archive_o")
                    ingest_w, build_w = _ingest(files), _build()
                    t_warm.append(ingest_w + build_w)
                    say(f"original again: ingest {ingest_w:.1f} s, transform {build_w:.1f} s")
        t_rebuild = median(t_rebuilds)
        for name in ("b", "o"):
            _drop_db(admin, f"monev_bench_backup_{name}")
        for d in ("one", "archive_o", "landing"):
            shutil.rmtree(work / d, ignore_errors=True)

        _use(url, MONEV_REPORTS_DIR=reports, MONEV_ARCHIVE_DIR=archive)
        build_reports(first)
        skipped = _replicate(url, first, args.months)
        _replicate_files(deliveries, first, args.months)
        _replicate_files(reports, first, args.months)
        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            rows = conn.execute("SELECT count(*) FROM raw.peserta_rentan").fetchone()[0]
        say(f"{args.months} {args.scale} months ({first} real, the rest copies): database"
            f" {size / 1e9:.2f} GB ({rows:,} participant rows), reports"
            f" {_du(reports) / 1e6:.1f} MB, deliveries {_du(deliveries) / 1e6:.1f} MB;"
            f" not copied: {', '.join(skipped) or 'none'}")

        # backup and restore, ours and by hand alternately (which goes first changes
        # what the page cache holds), `--repeat` times; medians
        b_ours, b_dump, b_cp, r_ours_t, r_pgr, r_cp = [], [], [], [], [], []
        for i in range(args.repeat):
            for ours_first in ((True, False) if i % 2 == 0 else (False, True)):
                if ours_first:
                    _use(url, MONEV_REPORTS_DIR=reports, MONEV_ARCHIVE_DIR=archive)
                    shutil.rmtree(work / "b_ours", ignore_errors=True)
                    ours = backup.backup(work / "b_ours", SIGNING)
                    b_ours.append(sum(ours.seconds.values()))
                    say(f"monev backup {b_ours[-1]:.1f} s ({_steps(ours)})")
                else:
                    hand = work / "b_hand"
                    shutil.rmtree(hand, ignore_errors=True)
                    hand.mkdir()
                    b_dump.append(_by_hand("pg_dump", ["--format=directory", "--jobs=2",
                                                       f"--file={hand / 'database'}"], url))
                    b_cp.append(_cp(reports, hand / "reports")
                                + _cp(deliveries, hand / "deliveries"))
                    say(f"pg_dump {b_dump[-1]:.1f} s + cp -a {b_cp[-1]:.1f} s")
            for ours_first in ((True, False) if i % 2 == 0 else (False, True)):
                if ours_first:
                    url_r = _new_db(admin, "monev_bench_backup_r")
                    for d in ("r_reports", "r_archive"):
                        shutil.rmtree(work / d, ignore_errors=True)
                    _use(url_r, MONEV_REPORTS_DIR=work / "r_reports",
                         MONEV_ARCHIVE_DIR=work / "r_archive")
                    r_ours = backup.restore(work / "b_ours", SIGNING)
                    r_ours_t.append(sum(r_ours.seconds.values()))
                    _drop_db(admin, "monev_bench_backup_r")
                    say(f"monev restore {r_ours_t[-1]:.1f} s ({_steps(r_ours)})")
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
                    _drop_db(admin, "monev_bench_backup_h")
                    say(f"pg_restore {r_pgr[-1]:.1f} s + cp -a {r_cp[-1]:.1f} s")
        t_ours, t_dump, t_cp = median(b_ours), median(b_dump), median(b_cp)
        t_rours, t_pgr, t_rcp = median(r_ours_t), median(r_pgr), median(r_cp)
        hand = work / "b_hand"
        s_ours, s_hand, s_dump = _du(work / "b_ours"), _du(hand), _du(hand / "database")
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
    row("rebuild of the month s (vs ingest + transform)", t_rebuild, ingest1 + build1,
        "<= 1.2")
    row("  the same vs the original run again, warm", t_rebuild, median(t_warm), "<= 1.2")
    print(f"  monev backup steps: {_steps(ours)}; restore steps: {_steps(r_ours)}")


if __name__ == "__main__":
    main()

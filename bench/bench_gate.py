"""Gate time for a 2-million-row `peserta_rentan` batch vs the raw COPY of the same rows.

Target (issue 3): gate ≤ 2 × COPY. Works in a scratch database on the project's
warehouse server (embedded cluster or WAREHOUSE_URL), dropped afterwards.

    .venv/bin/python bench/bench_gate.py [rows]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from monev.config import reset_settings
from monev.records import StagedBatch
from monev.warehouse import db
from monev.warehouse.migrate import migrate

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
SCRATCH = "monev_bench_gate"

# Realistic mix: kab/kota from the seed, payers matching the funding type, ~1 % of rows
# tripping warnings (tariff, NIK date), no errors (the gate must run every rule fully).
FILL = """
INSERT INTO {table}
SELECT DATE '2024-03-01', md5(g::text) || md5((g * 7)::text),
       CASE WHEN g % 2 = 0 THEN 'L' ELSE 'P' END, 1960 + g % 45, k.kode,
       s.sumber, CASE s.sumber WHEN 'APBD_PROVINSI' THEN k.kode_provinsi
                               WHEN 'CSR' THEN NULL ELSE k.kode END,
       CASE WHEN g % 3 = 0 THEN 'JKK_JKM_JHT' ELSE 'JKK_JKM' END,
       DATE '2023-01-01' + g % 400, CASE WHEN g % 10 = 0 THEN 'NONAKTIF' ELSE 'AKTIF' END,
       CASE WHEN g % 97 = 0 THEN 10000 WHEN g % 3 = 0 THEN 36800 ELSE 16800 END,
       true, g % 101 <> 0, true, k.kode, 1, g + 1
FROM generate_series(1, {rows}) AS g
JOIN (SELECT row_number() OVER (ORDER BY kode) - 1 AS i, kode, kode_provinsi
      FROM raw.wilayah WHERE tingkat <> 'PROVINSI') AS k
  ON k.i = g % (SELECT count(*) FROM raw.wilayah WHERE tingkat <> 'PROVINSI')
JOIN (VALUES (0, 'APBD_PROVINSI'), (1, 'APBD_KABKOTA'), (2, 'APBDES'), (3, 'CSR'))
  AS s(i, sumber) ON s.i = g % 4
"""


def main() -> None:
    base = db.warehouse_url()
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{SCRATCH}"')
    url = make_url(base).set(database=SCRATCH).render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix="bench_gate_"))
    os.environ["WAREHOUSE_URL"] = url
    os.environ["MONEV_STATE_DIR"] = str(tmp / "state")
    reset_settings()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            batch_id = conn.execute(
                "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes)"
                " VALUES ('peserta_rentan', '2024-03', 'bench', 'x', 0) RETURNING batch_id"
            ).fetchone()[0]
            table = f"stage.peserta_rentan__b{batch_id}"
            conn.execute(f"CREATE TABLE {table} (LIKE raw.peserta_rentan)")
            conn.execute(FILL.format(table=table, rows=ROWS))
            conn.execute(f"ANALYZE {table}")  # as the pipeline's stage step does
            csv = tmp / "rows.csv"
            with csv.open("wb") as f, conn.cursor().copy(
                f"COPY {table} TO STDOUT (FORMAT csv)"
            ) as copy:
                for chunk in copy:
                    f.write(chunk)
            conn.execute("CREATE TABLE stage.copy_target (LIKE raw.peserta_rentan)")
            t0 = time.perf_counter()
            with csv.open("rb") as f, conn.cursor().copy(
                "COPY stage.copy_target FROM STDIN (FORMAT csv)"
            ) as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            copy_s = time.perf_counter() - t0

            # GX's import is a once-per-process cost (Airflow worker, CLI), not per batch:
            # measured separately so the ratio compares per-batch work.
            t0 = time.perf_counter()
            import great_expectations  # noqa: F401

            from monev.quality.gate import run_gate

            import_s = time.perf_counter() - t0
            batch = StagedBatch(batch_id, "peserta_rentan", "2024-03", "bench", table, ROWS,
                                periode=__import__("datetime").date(2024, 3, 1))
            t0 = time.perf_counter()
            outcome = run_gate(conn, batch)
            gate_s = time.perf_counter() - t0
        print(f"rows                 {ROWS:>12,}")
        print(f"csv size             {csv.stat().st_size / 1e6:>11.1f} MB")
        print(f"raw COPY             {copy_s:>11.2f} s")
        print(f"gate (run_gate+docs) {gate_s:>11.2f} s")
        print(f"ratio gate/COPY      {gate_s / copy_s:>11.2f}  (target <= 2.00)")
        print(f"GX import (once per process, not in the ratio) {import_s:.2f} s")
        print(f"errors {[e.rule for e in outcome.errors]}  warnings "
              f"{[(w.rule, w.row_count) for w in outcome.warnings]}")
    finally:
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


if __name__ == "__main__":
    main()

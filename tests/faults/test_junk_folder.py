"""A folder of junk fed to `monev ingest` changes no report (issue 21).

Before unknown names had their own record, every one became a rejected load batch of
period `unknown` that the source table of every later report listed: 2,000 junk files
made a province report 171 pages long. Here a small month is reported (the session's
built months, `built_months_template`), 2,000 junk-named files are ingested through the
command an operator types, the month is built and reported again: the same page count,
the same source table, the junk recorded in `audit.unknown_files` and in no period's
batches.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from monev.reports.build import build_reports

MONEV = Path(sys.executable).with_name("monev")
JUNK = 2000
MONTH, PROVINSI = "2025-02", "62"


def _junk_names(n: int) -> list[str]:
    """Names a messy shared folder holds: near-misses of contract names among others."""
    shapes = ("junk_{i:04d}.txt", "kepesertaan_{i}.csv", "peserta_rentan_{i}.csv.gz",
              "Laporan final ({i}).xlsx", "IMG_{i:05d}.jpg", "anggaran-{i}.xlsx.bak",
              "~$realisasi_{i}.xlsx", "catatan {i}.docx")
    return [shapes[i % len(shapes)].format(i=i) for i in range(n)]


def _report(out: Path) -> tuple[int, str]:
    """Build the province's report of MONTH into `out`: its PDF's page count and text."""
    [run] = build_reports(MONTH, provinsi=PROVINSI, out=out)
    assert run.status == "built"
    [pdf] = [Path(f["path"]) for f in run.files if f["path"].endswith(".pdf")]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return pages, text


def _rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


# the source table, every column (the same batches: nothing was loaded in between)
_SOURCES = "SELECT * FROM marts.mart_sumber_data ORDER BY batch_id"


def test_a_junk_folder_leaves_the_report_unchanged(built_warehouse: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from transform_support import build_ok

    warehouse = built_warehouse
    monkeypatch.setenv("MONEV_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "junk-test-key")
    monkeypatch.setenv("MONEV_REPORT_WORKERS", "1")
    pages_before, text_before = _report(tmp_path / "before")
    sources_before = _rows(warehouse, _SOURCES)
    assert sources_before and pages_before >= 2
    batches_before = _rows(warehouse, "SELECT count(*) FROM audit.load_batches")[0][0]

    junk = tmp_path / "junk"
    junk.mkdir()
    names = _junk_names(JUNK)
    for i, name in enumerate(names):
        (junk / name).write_bytes(f"not a delivery {i}\n".encode())
    proc = subprocess.run([str(MONEV), "ingest", str(junk)], capture_output=True, text=True,
                          timeout=900, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 1, proc.stdout + proc.stderr  # every file rejected
    assert "Traceback" not in proc.stdout + proc.stderr
    refused = [ln for ln in proc.stdout.splitlines() if ln.startswith("rejected ")]
    assert len(refused) == JUNK and all("ingest.unknown_file" in ln for ln in refused)

    # recorded once each as unknown names, in no period's record
    assert sorted(r[0] for r in _rows(warehouse, "SELECT file_name FROM audit.unknown_files")
                  ) == sorted(names)
    assert _rows(warehouse, "SELECT count(*) FROM audit.load_batches")[0][0] == batches_before

    build_ok()
    pages_after, text_after = _report(tmp_path / "after")
    assert _rows(warehouse, _SOURCES) == sources_before
    assert pages_after == pages_before
    assert not any(name in text_after for name in ("junk_0000.txt", "IMG_00004.jpg",
                                                   "Laporan final", "catatan 7.docx"))
    # the same report: the lines that name files are the same lines
    assert ([ln for ln in text_after.splitlines() if ".csv" in ln or ".xlsx" in ln]
            == [ln for ln in text_before.splitlines() if ".csv" in ln or ".xlsx" in ln])

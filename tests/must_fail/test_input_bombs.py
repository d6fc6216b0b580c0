"""Small files that cost far more to read than their size says — a 2 MB gzip of 2 GiB of
blank lines, an xlsx whose shared-strings table or worksheet unpacks to hundreds of MB,
one row of 5 M cells, a sheet claiming the grid's full width, ten times the lines of a
national delivery — are each rejected with the rule of the cap they pass
(docs/EXTRACTS.md, "Limits"), within seconds of CPU and a bounded memory.

Each file is parsed in a child process, so its peak memory (ru_maxrss) and CPU are the
parse's own; a timeout keeps the test bounded where a parser is not (the code before
the caps ran each of these for minutes, or loaded them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from extract_writers import (
    ANGGARAN_HEADER,
    KEPESERTAAN_HEADER,
    RENTAN_HEADER,
    anggaran_row,
    kepesertaan_row,
    kepesertaan_rows,
    write_csv,
)

from monev.synthetic import bad

# What one bomb may cost: CPU seconds of the parse (process time, so a loaded machine
# does not fail it), peak memory of the whole process (Python, pyarrow and openpyxl
# loaded take ~120 MiB of it), and the wall time after which the child is killed.
CPU_SECONDS = 5.0
MEMORY_MIB = 400
TIMEOUT = 90

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from monev.sources.parsing import parse_local
wall, cpu = time.perf_counter(), time.process_time()
rows, failures = parse_local(Path(sys.argv[1]))
# this process's own peak (VmHWM): the rusage maxrss of a child started by a large
# parent (pytest after a long session) carries the parent's peak across the exec
hwm = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM:"))
print(json.dumps({"rules": sorted({f.rule for f in failures}),
                  "messages": [f.message for f in failures], "rows": len(rows),
                  "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
                  "vmhwm_kib": hwm}))
"""


def parse_in_child(path: Path, env: dict[str, str] | None = None) -> dict:
    """parse_local(path) in a child process: its report, its peak RSS (MiB), or
    `timed_out` when it ran past TIMEOUT and was killed."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # the fault handler prints where a crash happens (an abort at exit has no frame)
        env={**os.environ, "PYTHONFAULTHANDLER": "1", "MONEV_PSEUDONYM_KEY": "bomb-test",
             **(env or {})})
    deadline = time.monotonic() + TIMEOUT
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            child.communicate()
            return {"timed_out": True, "maxrss_mib": usage.ru_maxrss / 1024}
        time.sleep(0.05)
    out, err = child.communicate()
    assert os.waitstatus_to_exitcode(status) == 0, err.decode()[-2000:]
    report = json.loads(out)
    report["maxrss_mib"] = report.pop("vmhwm_kib") / 1024
    report["timed_out"] = False
    return report


def _kep_row() -> list[object]:
    r = kepesertaan_row()
    return [r[h] for h in KEPESERTAAN_HEADER]


BOMBS: dict[str, tuple[str, Callable[[Path], Path], str]] = {
    # name: (file name, writer, rule)
    "gzip of 2 GiB of blank lines (recap)": (
        "kepesertaan_202403.csv.gz",
        lambda p: bad.gzip_of_blank_lines(p, ";".join(KEPESERTAAN_HEADER)),
        "kepesertaan.too_many_lines"),
    "gzip of 2 GiB of blank lines (participant list)": (
        "peserta_rentan_202403.csv.gz",
        lambda p: bad.gzip_of_blank_lines(p, ",".join(RENTAN_HEADER)),
        "peserta_rentan.too_many_lines"),
    "CSV of 1.1 M lines": (
        "kepesertaan_202404.csv",
        lambda p: bad.csv_of_many_lines(p, KEPESERTAAN_HEADER, _kep_row(), 1_100_000),
        "kepesertaan.too_many_lines"),
    "xlsx with 20 M shared strings (340 MB, under 512 MiB)": (
        "anggaran_2024_murni.xlsx",
        lambda p: bad.xlsx_with_shared_strings(p, "anggaran", ANGGARAN_HEADER,
                                               anggaran_row(), 20_000_000),
        "anggaran.too_many_strings"),
    "xlsx with 2.5 M shared strings (42 MB)": (
        "anggaran_2024_pergeseran.xlsx",
        lambda p: bad.xlsx_with_shared_strings(p, "anggaran", ANGGARAN_HEADER,
                                               anggaran_row(), 2_500_000),
        "anggaran.too_many_strings"),
    "xlsx zip bomb (worksheet 400 MiB unpacked, under 512 MiB)": (
        "anggaran_2024_perubahan.xlsx",
        lambda p: bad.xlsx_zip_bomb(p, "anggaran", ANGGARAN_HEADER, anggaran_row(),
                                    400 << 20),
        "anggaran.too_large"),
    "xlsx row of 5 M cells": (
        "anggaran_2025_murni.xlsx",
        lambda p: bad.xlsx_wide_row(p, "anggaran", ANGGARAN_HEADER, anggaran_row(),
                                    5_000_000),
        "anggaran.too_many_cells"),
    "xlsx claiming the full width, 100 k rows": (
        "anggaran_2025_perubahan.xlsx",
        lambda p: bad.xlsx_claimed_width(p, "anggaran", ANGGARAN_HEADER, anggaran_row(),
                                         100_000),
        "anggaran.too_many_cells"),
}


@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_bomb_is_rejected_with_its_rule_in_seconds_and_bounded_memory(
    kind: str, tmp_path: Path
) -> None:
    name, write, rule = BOMBS[kind]
    path = write(tmp_path / name)
    report = parse_in_child(path)
    assert not report["timed_out"], f"{kind}: still parsing after {TIMEOUT} s"
    assert rule in report["rules"], report
    cited = [m for m in report["messages"] if f"(rule {rule})" in m]
    assert cited and all(m.startswith(f"{name}: ") for m in cited), report
    assert report["cpu"] <= CPU_SECONDS, report
    assert report["maxrss_mib"] <= MEMORY_MIB, report


def test_the_wall_time_cap_stops_a_slow_parse(tmp_path: Path) -> None:
    """A recap within every size cap, read with a 1 s deadline: stopped at the deadline
    (it takes several seconds to type 300 k rows), not read to the end."""
    path = bad.csv_of_many_lines(tmp_path / "kepesertaan_202405.csv", KEPESERTAAN_HEADER,
                                 _kep_row(), 300_000)
    report = parse_in_child(path, {"MONEV_MAX_FILE_SECONDS": "1"})
    assert not report["timed_out"]
    assert report["rules"] == ["kepesertaan.too_slow"], report
    assert "MONEV_MAX_FILE_SECONDS" in report["messages"][0]
    assert report["wall"] < 1 + CPU_SECONDS, report
    assert report["rows"] < 299_999  # stopped before the end


def test_bombs_are_rejected_batches_and_a_good_file_still_loads(
    warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real `monev ingest`: every bomb a rejected batch whose reason names
    the file and the rule, kept for inspection; the good delivery beside them loads; the
    whole run takes seconds, not the hours the bombs would hold the load slot."""
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "bomb-test")
    landing = tmp_path / "landing"
    landing.mkdir()
    picked = ["gzip of 2 GiB of blank lines (recap)",
              "gzip of 2 GiB of blank lines (participant list)",
              "xlsx with 20 M shared strings (340 MB, under 512 MiB)",
              "xlsx zip bomb (worksheet 400 MiB unpacked, under 512 MiB)"]
    expected = {}
    for kind in picked:
        name, write, rule = BOMBS[kind]
        write(landing / name)
        expected[name] = rule
    write_csv(landing / "kepesertaan_202405.csv", KEPESERTAAN_HEADER,
              kepesertaan_rows(6, periode="2024-05"))

    started = time.monotonic()
    run = subprocess.run([str(Path(sys.executable).with_name("monev")), "ingest", str(landing)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "COLUMNS": "200"})
    seconds = time.monotonic() - started
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output, output

    with psycopg.connect(warehouse) as conn:
        batches = {r[0]: r[1:] for r in conn.execute(
            "SELECT file_name, status, reasons, kept_path FROM audit.load_batches").fetchall()}
    assert batches["kepesertaan_202405.csv"][0] == "loaded"
    for name, rule in expected.items():
        status, reasons, kept = batches[name]
        assert status == "rejected", (name, status, reasons)
        by_rule = {r["rule"]: r for r in reasons}
        assert rule in by_rule, (name, reasons)
        assert by_rule[rule]["message"].startswith(f"{name}: ")
        assert kept and Path(kept).exists()
        assert name in output and rule in output
    # four bombs, each stopped within seconds (the 2 GiB gzip alone ran > 300 s before)
    assert seconds < 120, f"ingest took {seconds:.0f} s"

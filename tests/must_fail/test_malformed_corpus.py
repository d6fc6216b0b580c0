"""The malformed-delivery corpus through the real `monev ingest`, in one run beside a
good file: every bad file is rejected with its rule and rows, nothing published is lost
or changed, every bad file is kept byte for byte, the good file still loads, and no
output — console, audit, gate results — holds a traceback or a personal value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from corpus import PERSONAL_VALUES, write_corpus, write_good
from extract_writers import KEPESERTAAN_HEADER, kepesertaan_rows, write_csv

from monev.ingest.pipeline import ingest_paths

MONEV = Path(sys.executable).with_name("monev")
# Published tables and the rows the corpus must not touch (the run's good file adds April).
RAW = {"kepesertaan": "periode <> '2024-04-01'", "peserta_rentan": "true", "anggaran": "true",
       "realisasi": "true"}


def fingerprint(conn: psycopg.Connection) -> dict[str, tuple]:
    """Row count and checksum of every published table, and what stage holds."""
    out: dict[str, tuple] = {}
    for table, rows in RAW.items():
        out[table] = conn.execute(
            "SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
            f" FROM raw.{table} AS r WHERE {rows}").fetchone()
    out["stage"] = conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'stage'").fetchone()
    return out


@pytest.fixture
def loaded(warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "corpus-test-key")
    results = ingest_paths(write_good(tmp_path / "good"))
    assert [r.status for r in results] == ["loaded"] * 4, [
        (r.file_name, [e.message for e in r.errors]) for r in results]
    return warehouse


def test_every_malformed_file_is_rejected_precisely_and_nothing_is_lost(
    loaded: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    cases = write_corpus(landing)
    write_csv(landing / "kepesertaan_202404.csv", KEPESERTAAN_HEADER,
              kepesertaan_rows(6, periode="2024-04"))
    with psycopg.connect(loaded) as conn:
        before = fingerprint(conn)

    run = subprocess.run([str(MONEV), "ingest", str(landing)], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"}, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output and "Exception ignored" not in output, output

    with psycopg.connect(loaded) as conn:
        assert fingerprint(conn) == before  # nothing published changed, stage is empty
        batches = {r[0]: r[1:] for r in conn.execute(
            "SELECT file_name, status, reasons, kept_path FROM audit.load_batches"
            " ORDER BY batch_id").fetchall()}
        # a file of unknown name is no load batch (it belongs to no period): its record
        # is audit.unknown_files
        batches.update({r[0]: ("rejected", [{"rule": "ingest.unknown_file", "message": r[1],
                                             "rows": None}], r[2]) for r in conn.execute(
            "SELECT file_name, reason, kept_path FROM audit.unknown_files").fetchall()})
        audit_text = json.dumps(conn.execute(
            "SELECT json_agg(b) FROM audit.load_batches AS b").fetchone()[0])
        audit_text += json.dumps(conn.execute(
            "SELECT json_agg(u) FROM audit.unknown_files AS u").fetchone()[0])
        audit_text += json.dumps(conn.execute(
            "SELECT json_agg(v) FROM audit.validation_results AS v").fetchone()[0])
        assert conn.execute("SELECT count(*) FROM raw.kepesertaan"
                            " WHERE periode = '2024-04-01'").fetchone()[0] == 6

    assert batches["kepesertaan_202404.csv"][0] == "loaded"  # the good file of the run
    for case in cases:
        status, reasons, kept = batches[case.name]
        assert status == "rejected", (case.name, status, reasons)
        by_rule = {r["rule"]: r for r in reasons}
        assert case.rule in by_rule, (case.name, reasons)
        failure = by_rule[case.rule]
        assert case.name in failure["message"], failure
        if case.rows is not None:
            assert failure["rows"] == case.rows, (case.name, failure)
        assert kept and Path(kept).read_bytes() == (landing / case.name).read_bytes(), case.name
        assert case.name in output, f"{case.name} not reported on the console"
        assert case.rule in output or case.rule.split(".")[-1] in output, case.name
    for value in PERSONAL_VALUES:
        assert value not in output, "personal value on the console"
        assert value not in audit_text, "personal value in the audit"


def _parse_peak(path: Path) -> tuple[str, str, int]:
    """(rows, failed rules, peak RSS MB) of parsing `path` in a process of its own that
    only parses (no GX, no database), so the figure is the parser's."""
    probe = (
        "import resource\n"
        "from pathlib import Path\n"
        "from monev.sources.parsing import parse_local\n"
        f"rows, failures = parse_local(Path({str(path)!r}))\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(len(rows), ','.join(f.rule for f in failures) or '-', peak)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=600, env=os.environ.copy())
    assert run.returncode == 0, run.stderr
    rows, rules, peak = run.stdout.split()
    return rows, rules, int(peak)


def test_a_one_gib_line_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    """A 1 MB gzip holding a 1 GiB line is refused, and parsing it costs no more memory
    than parsing a normal file (the loader used to read the line whole: 2.26 GB)."""
    import gzip

    big = tmp_path / "big" / "kepesertaan_202403.csv.gz"
    big.parent.mkdir()
    with gzip.open(big, "wb", compresslevel=6) as fh:
        fh.write((";".join(KEPESERTAAN_HEADER) + "\n2024-03;").encode())
        block = b"9" * (16 << 20)
        for _ in range(64):
            fh.write(block)
        fh.write(b"\n")
    assert big.stat().st_size < 2 << 20
    normal = write_csv(tmp_path / "kepesertaan_202403.csv.gz", KEPESERTAAN_HEADER,
                       kepesertaan_rows(6), gz=True)
    assert _parse_peak(normal)[:2] == ("6", "-")
    rows, rules, peak = _parse_peak(big)
    assert (rows, rules) == ("0", "kepesertaan.file_unreadable")
    baseline = _parse_peak(normal)[2]
    assert peak - baseline < 64, f"peak {peak} MB against {baseline} MB for a normal file"

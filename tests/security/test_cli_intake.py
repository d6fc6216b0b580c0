"""`monev ingest DIR` as a careless sender or a local attacker would feed it: links,
FIFOs, long and newline names, control characters, huge files, and the other doors of
the CLI that took unsafe input (a password in argv, a month with SQL after it). Run as
users run it: the installed `monev` in a subprocess, on a real warehouse."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from extract_writers import KEPESERTAAN_HEADER, kepesertaan_rows, write_csv
from sqlalchemy.engine import make_url

MONEV = Path(sys.executable).with_name("monev")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "security-test-key")


def _monev(*args: str | Path, stdin: str | None = None, timeout: float = 180
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(MONEV), *map(str, args)], capture_output=True, text=True,
                          input=stdin, env={**os.environ, "COLUMNS": "200"}, timeout=timeout,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def _kep(path: Path, periode: str = "2024-03") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(path, KEPESERTAAN_HEADER, kepesertaan_rows(4, periode))


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def _no_traceback(run: subprocess.CompletedProcess[str]) -> str:
    out = run.stdout + run.stderr
    assert "Traceback" not in out, out
    return out


def test_a_link_is_refused_unopened_and_the_rest_of_the_folder_loads(
    warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = _kep(tmp_path / "elsewhere" / "kepesertaan_202404.csv", "2024-04")
    landing = tmp_path / "landing"
    landing.mkdir()
    good = _kep(landing / "kepesertaan_202403.csv")
    (landing / "kepesertaan_202404.csv").symlink_to(outside)  # a valid name
    (landing / "environ.txt").symlink_to("/proc/self/environ")  # a secret, unknown name
    monkeypatch.setenv("MONEV_SMTP_PASSWORD", "smtp-secret-do-not-keep")
    run = _monev("ingest", landing)
    out = _no_traceback(run)
    assert run.returncode == 1, out
    for name in ("kepesertaan_202404.csv", "environ.txt"):
        assert f"{name}: a symbolic link, not a regular file" in out, out
    assert out.count("ingest.not_a_regular_file") >= 2, out
    # the good file loaded; the linked month was not published
    assert _rows(warehouse, "SELECT DISTINCT periode::text FROM raw.kepesertaan") == [
        ("2024-03-01",)]
    assert _rows(warehouse, "SELECT file_name, status FROM audit.load_batches"
                            " WHERE source = 'kepesertaan'") == [(good.name, "loaded")]
    # nothing behind a link was copied anywhere under the state folder
    state = Path(os.environ["MONEV_STATE_DIR"])
    for f in state.rglob("*"):
        if f.is_file() and not f.is_symlink() and f.stat().st_size < 1 << 20:
            assert b"smtp-secret-do-not-keep" not in f.read_bytes(), f


def test_a_fifo_given_explicitly_or_in_the_folder_does_not_hang(
    warehouse: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    good = _kep(landing / "kepesertaan_202403.csv")
    fifo = landing / "kepesertaan_202404.csv"
    os.mkfifo(fifo)
    outside_fifo = tmp_path / "kepesertaan_202405.csv"
    os.mkfifo(outside_fifo)
    try:
        run = _monev("ingest", outside_fifo, landing, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("monev ingest hung on a FIFO")
    out = _no_traceback(run)
    assert run.returncode == 1, out
    assert "kepesertaan_202405.csv: a FIFO (named pipe), not a regular file" in out, out
    assert "kepesertaan_202404.csv: a FIFO (named pipe), not a regular file" in out, out
    assert _rows(warehouse, "SELECT file_name, status FROM audit.load_batches"
                            " WHERE source = 'kepesertaan'") == [(good.name, "loaded")]


def test_names_are_full_matched_and_escaped_in_every_message(
    warehouse: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    _kep(landing / "kepesertaan_202403.csv\n")  # a trailing newline: not the grammar
    _kep(landing / "kepesertaan_202404.csv\nERROR forged line")
    (landing / "junk\x1b[31mred\r\x07.csv").write_text("x")
    run = _monev("ingest", landing)
    out = _no_traceback(run)
    assert run.returncode == 1, out
    assert "kepesertaan_202403.csv\\n" in out, out
    assert "kepesertaan_202404.csv\\nERROR forged line" in out, out
    assert "junk\\x1b[31mred\\r\\x07.csv" in out, out
    assert not any(c in out for c in "\x1b\r\x07"), repr(out)
    assert not any(line.startswith("ERROR forged line") for line in out.splitlines()), out
    assert _rows(warehouse, "SELECT count(*) FROM raw.kepesertaan") == [(0,)]
    assert _rows(warehouse, "SELECT count(*) FROM audit.load_batches"
                            " WHERE source = 'kepesertaan'") == [(0,)]


def test_a_255_character_name_is_reported_not_a_traceback(
    warehouse: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    long_name = "x" * 251 + ".csv"
    (landing / long_name).write_text("a;b\n1;2\n")
    _kep(landing / "kepesertaan_202403.csv")
    first = _monev("ingest", landing)
    again = _monev("ingest", landing)  # the run after it works too
    for run in (first, again):
        out = _no_traceback(run)
        assert run.returncode == 1, out
        assert long_name[:40] in out and "ingest.unknown_file" in out, out
    assert _rows(warehouse, "SELECT count(*) FROM audit.load_batches"
                            " WHERE status = 'running'") == [(0,)]
    assert _rows(warehouse, "SELECT status FROM audit.load_batches"
                            " WHERE source = 'kepesertaan' ORDER BY batch_id") == [
        ("loaded",), ("duplicate",)]


def test_kept_copies_are_capped_and_always_0600(warehouse: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    sparse = landing / "dump.bin"
    with open(sparse, "wb") as fh:
        fh.truncate(2 << 30)  # 2 GiB, no blocks on disk
    misnamed = write_csv(landing / "peserta_rentan_maret.csv", ["nik"], [["3273010503900001"]])
    # a rejected delivery of a source without personal data was kept 0640 before
    bad = write_csv(landing / "kepesertaan_202403.csv", KEPESERTAAN_HEADER,
                    kepesertaan_rows(4), delimiter=",")
    run = _monev("ingest", landing, timeout=300)
    out = _no_traceback(run)
    assert run.returncode == 1, out
    rejected = Path(os.environ["MONEV_STATE_DIR"]) / "rejected"
    kept = {p.name: p for p in rejected.rglob("*") if p.is_file()}
    [dump] = [p for n, p in kept.items() if n.endswith("__dump.bin")]
    assert dump.stat().st_size <= 1 << 20 and dump.stat().st_blocks * 512 <= 2 << 20
    note = dump.with_name(dump.name + ".note.txt").read_text()
    assert f"size: {2 << 30} bytes" in note and "sha256: " in note, note
    [rentan] = [p for n, p in kept.items() if n.endswith("__peserta_rentan_maret.csv")]
    assert rentan.read_bytes() == misnamed.read_bytes()
    [kep] = [p for n, p in kept.items() if n.endswith("__kepesertaan_202403.csv")]
    assert kep.read_bytes() == bad.read_bytes()
    for p in kept.values():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    for d in {p.parent for p in kept.values()} | {rejected}:
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    total = sum(p.stat().st_size for p in rejected.rglob("*") if p.is_file())
    assert total < 4 << 20, total


@pytest.mark.parametrize("args", [
    ["report", "--periode", "2025-02';DROP TABLE x;--"],
    ["report", "--periode", "2025-02x"],
    ["report", "--periode", "2025-13"],
    ["generate", "--out", "OUT", "--from", "2025-01", "--to", "2025-02\n"],
    ["demo", "--from", "2025-01';", "--to", "2025-02"],
    ["run", "--periode", "2025-2"],
])
def test_a_month_is_validated_strictly(warehouse: str, tmp_path: Path, args: list[str]) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    run = _monev(*args)
    out = _no_traceback(run)
    assert run.returncode == 2, out
    assert "is not a month: expected YYYY-MM" in out, out
    assert not (tmp_path / "out").exists()
    assert _rows(warehouse, "SELECT count(*) FROM audit.report_runs") == [(0,)]


def test_a_bi_password_never_travels_in_argv(warehouse: str) -> None:
    user = f"bi_{uuid.uuid4().hex[:8]}"
    refused = _monev("access", "grant-province", user, "62", "--password", "in-argv")
    out = _no_traceback(refused)
    assert refused.returncode == 2 and "visible to every user" in out, out
    assert user not in _monev("access", "list").stdout
    granted = _monev("access", "grant-province", user, "62", "--password-stdin",
                     stdin="from-stdin\n")
    assert granted.returncode == 0, _no_traceback(granted)
    assert f"{user}: " in granted.stdout
    login = make_url(warehouse).set(username=user, password="from-stdin")
    with psycopg.connect(login.render_as_string(hide_password=False)) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == user
    empty = _monev("access", "grant-national", user, "--password-stdin", stdin="")
    assert empty.returncode == 2 and "no password on standard input" in _no_traceback(empty)

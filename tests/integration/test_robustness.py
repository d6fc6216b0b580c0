"""Faults and contract points of the load path on the real warehouse: statuses kept in
one list, revisions and duplicates, shrinking deliveries, interrupted batches, the
build lock, one file-name grammar, and the embedded cluster's durability."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import yaml
from extract_writers import (
    KEPESERTAAN_HEADER,
    kepesertaan_rows,
    nik,
    rentan_row,
    write_csv,
    write_rentan,
)

from monev.config import PROJECT_ROOT
from monev.ingest.pipeline import ingest_file, ingest_paths
from monev.records import BATCH_STATUSES

MONEV = Path(sys.executable).with_name("monev")


def _kep(folder: Path, name: str, n: int = 6, **over: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [dict(r, **over) for r in kepesertaan_rows(n, periode="2024-03")]
    return write_csv(folder / name, KEPESERTAAN_HEADER, rows)


def _raw(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT segmen, kategori_pekerja, sumber_iuran, tk_aktif, tk_baru"
                            " FROM raw.kepesertaan ORDER BY 1, 2, 3").fetchall()


def test_batch_statuses_are_one_list(warehouse: str) -> None:
    """The audit table's CHECK and dbt's accepted_values both equal BATCH_STATUSES, so
    a dry run ('validated') or a 'stale' revision never fails `monev transform`."""
    with psycopg.connect(warehouse) as conn:
        check, landing = (conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            (name,)).fetchone()[0] for name in ("load_batches_status_check",
                                               "landing_files_status_check"))
    assert set(re.findall(r"'(\w+)'", check)) == set(BATCH_STATUSES)
    # the landing intake records each claimed file's batch status
    assert set(re.findall(r"'(\w+)'", landing)) == {"claimed", *BATCH_STATUSES}
    yml = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/staging/audit/"
                          "stg_audit__load_batches.yml").read_text())
    status = next(c for c in yml["models"][0]["columns"] if c["name"] == "status")
    values = status["data_tests"][0]["accepted_values"]["arguments"]["values"]
    assert set(values) == set(BATCH_STATUSES)


def test_a_good_delivery_is_restored_by_resending_its_bytes(warehouse: str, tmp_path: Path
                                                            ) -> None:
    good = _kep(tmp_path / "a", "kepesertaan_202403.csv", tk_baru=1)
    assert ingest_file(good).status == "loaded"
    kept = _raw(warehouse)
    wrong = _kep(tmp_path / "b", "kepesertaan_202403_rev1.csv", tk_baru=9)
    assert ingest_file(wrong).status == "loaded"
    # the good bytes again, as the next revision: loaded, not "duplicate" of batch 1
    again = tmp_path / "c" / "kepesertaan_202403_rev2.csv"
    again.parent.mkdir()
    again.write_bytes(good.read_bytes())
    restored = ingest_file(again)
    assert restored.status == "loaded", restored.warnings
    assert _raw(warehouse) == kept
    # the same bytes as the delivery in force for the period: that is a duplicate
    assert ingest_file(again).status == "duplicate"
    # ... but not the same bytes delivered for another period
    other = tmp_path / "d" / "kepesertaan_202404.csv"
    other.parent.mkdir()
    other.write_bytes(good.read_bytes())
    assert ingest_file(other).status == "rejected"  # its periode column says 2024-03


def test_a_delivery_with_far_fewer_rows_publishes_with_a_warning(warehouse: str,
                                                                 tmp_path: Path) -> None:
    assert ingest_file(_kep(tmp_path / "a", "kepesertaan_202403.csv", n=6)).status == "loaded"
    half = ingest_file(_kep(tmp_path / "b", "kepesertaan_202403_rev1.csv", n=3))
    assert half.status == "loaded"
    [drop] = [w for w in half.warnings if w.rule == "ingest.row_count_drop"]
    assert "3 data rows, against 6" in drop.message
    steady = ingest_file(_kep(tmp_path / "c", "kepesertaan_202403_rev2.csv", n=5))
    assert not [w for w in steady.warnings if w.rule == "ingest.row_count_drop"]
    with psycopg.connect(warehouse) as conn:
        warnings = conn.execute("SELECT warnings FROM audit.load_batches WHERE batch_id = %s",
                                (half.batch_id,)).fetchone()[0]
    assert any(w["rule"] == "ingest.row_count_drop" for w in warnings)


def test_interrupted_batches_are_marked_failed_and_their_staging_dropped(
    warehouse: str, tmp_path: Path
) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        dead, alive = (conn.execute(
            "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes)"
            " VALUES ('kepesertaan', '2024-01', %s, 'x', 1) RETURNING batch_id", (name,)
        ).fetchone()[0] for name in ("dead.csv", "alive.csv"))
        for b in (dead, alive):
            conn.execute(f"CREATE TABLE stage.kepesertaan__b{b} (LIKE raw.kepesertaan)")
        # a live loader holds its batch's lock (another session)
        with psycopg.connect(warehouse, autocommit=True) as loader:
            loader.execute("SELECT pg_advisory_lock(hashtext('monev:batch'), %s::int)", (alive,))
            assert ingest_file(_kep(tmp_path, "kepesertaan_202403.csv")).status == "loaded"
            rows = dict(conn.execute(
                "SELECT batch_id, status FROM audit.load_batches WHERE batch_id IN (%s, %s)",
                (dead, alive)).fetchall())
            assert rows == {dead: "failed", alive: "running"}
            stage = {r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'stage'").fetchall()}
            assert stage == {f"kepesertaan__b{alive}"}
        reasons = conn.execute("SELECT reasons FROM audit.load_batches WHERE batch_id = %s",
                               (dead,)).fetchone()[0]
        assert reasons[0]["rule"] == "ingest.interrupted"


def test_a_second_transform_is_refused_while_one_runs(warehouse: str) -> None:
    from monev.transform.runner import build_lock

    with build_lock():
        run = subprocess.run([str(MONEV), "transform"], capture_output=True, text=True,
                             env={**os.environ, "COLUMNS": "200"}, timeout=300)
    assert run.returncode == 1
    assert "a build is already running" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("name", [
    "kepesertaan_202403.csv", "kepesertaan_202403_rev2.csv.gz", "peserta_rentan_202403.csv",
    "peserta_rentan_202403.csv.gz", "kepesertaan_202413.csv", "kepesertaan_000001.csv",
    "realisasi_202400.xlsx", "anggaran_2024_murni_rev3.xlsx", "anggaran_2024_final.xlsx",
    "kepesertaan_202403_rev99999999999.csv", "referensi/target_ucj.csv", "referensi/x.csv",
])
def test_the_landing_intake_claims_exactly_what_the_pipeline_accepts(name: str) -> None:
    from monev.ingest.landing import classify
    from monev.sources.registry import UnknownFile, identify

    try:
        identify(Path(name))
        accepted = True
    except UnknownFile:
        accepted = False
    assert (classify(name) is not None) == accepted


def test_the_warehouse_commits_durably_and_the_cluster_probes_quietly(
    server_is_embedded: bool, warehouse: str, request: pytest.FixtureRequest
) -> None:
    from monev.warehouse import cluster

    # a load the audit reports as loaded survives a crash
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
    if not server_is_embedded:
        return  # an external server: its log is not ours to read
    c = request.getfixturevalue("embedded_cluster")
    size = c.log_file.stat().st_size
    for _ in range(5):
        cluster._wait_ready(c)
    new = c.log_file.read_bytes()[size:].decode(errors="replace")
    assert "does not exist" not in new, new


def test_participant_list_shrinking_by_half_warns(warehouse: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "k")
    people = [rentan_row(nik=nik(serial=i)) for i in range(8)]
    full = write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", people)
    half = write_rentan(tmp_path / "peserta_rentan_202403_rev1.csv.gz", people[:4])
    results = ingest_paths([full, half])
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert "ingest.row_count_drop" in {w.rule for w in results[1].warnings}


def test_an_unreadable_file_fails_alone_and_the_run_goes_on(warehouse: str, tmp_path: Path
                                                            ) -> None:
    # a delivery that vanished between the listing and the read
    gone = tmp_path / "kepesertaan_202402.csv"
    good = _kep(tmp_path / "b", "kepesertaan_202403.csv")
    results = ingest_paths([gone, good])
    assert [(r.file_name, r.status) for r in results] == [
        ("kepesertaan_202402.csv", "failed"), ("kepesertaan_202403.csv", "loaded")]
    assert results[0].errors[0].rule == "ingest.file_unreadable"


def test_a_publish_waits_for_a_running_build(warehouse: str, tmp_path: Path) -> None:
    """Per-month models record the batch each month was built from: a batch published
    in the middle of a build would be recorded as built. So a publish waits for the
    build lock; the file's parse, stage and gate do not."""
    import threading

    from monev.transform.runner import build_lock

    path = _kep(tmp_path, "kepesertaan_202403.csv")
    done: list[str] = []
    with build_lock():
        loader = threading.Thread(target=lambda: done.append(ingest_file(path).status))
        loader.start()
        deadline = time.monotonic() + 120
        with psycopg.connect(warehouse, autocommit=True) as conn:
            while time.monotonic() < deadline and not conn.execute(
                    "SELECT count(*) FROM audit.load_batches WHERE validated_at IS NOT NULL"
                    " AND status = 'running'").fetchone()[0]:
                time.sleep(0.1)
            time.sleep(1.0)
            assert not done, "published while a build held the lock"
            assert conn.execute("SELECT count(*) FROM raw.kepesertaan").fetchone()[0] == 0
    loader.join(timeout=120)
    assert done == ["loaded"]

"""The archive of accepted deliveries, the record of unknown file names, and files
replaced in place — on a real warehouse, through the CLI's pipeline and the Airflow
landing intake's bookkeeping, and (for the source table) through dbt."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import psycopg
import pytest
from extract_writers import (
    KEPESERTAAN_HEADER,
    kepesertaan_rows,
    rentan_row,
    write_csv,
    write_rentan,
)

from monev.config import settings
from monev.ingest import tracking
from monev.ingest.landing import Landing
from monev.ingest.pipeline import ingest_file, ingest_paths


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "integration-test-key")


def _kep(path: Path, n: int = 4, periode: str = "2024-03", **over: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = kepesertaan_rows(n, periode)
    for r in rows:
        r.update(over)
    return write_csv(path, KEPESERTAAN_HEADER, rows)


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_published_delivery_is_archived_byte_for_byte(
    warehouse: str, tmp_path: Path, server_url: str, template_db: str
) -> None:
    from transform_support import module_warehouse

    landing = tmp_path / "landing"
    kep = _kep(landing / "kepesertaan_202403.csv")
    rev1 = _kep(landing / "kepesertaan_202403_rev1.csv", n=3)
    rentan = write_rentan(landing / "peserta_rentan_202403.csv.gz", [rentan_row()])
    bad = _kep(landing / "kepesertaan_202404.csv", periode="2024-04", tk_keluar="dua")
    results = {r.file_name: r for r in ingest_paths([landing])}
    assert results[bad.name].status == "rejected"
    assert {n: r.status for n, r in results.items() if n != bad.name} == {
        kep.name: "loaded", rev1.name: "loaded", rentan.name: "loaded"}

    root = settings().archive_dir
    assert root == Path(os.environ["MONEV_STATE_DIR"]).resolve() / "archive"
    deliveries = root / "deliveries"
    for d in (root, deliveries):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
    archived = sorted(p.name for p in deliveries.iterdir())
    # every published file (a superseded one too), nothing rejected, nothing half-written
    assert archived == sorted([kep.name, rev1.name, rentan.name, "wilayah_bps.csv",
                               "wilayah_perubahan.csv"])
    for f in (kep, rev1, rentan):
        copy = deliveries / f.name
        assert copy.read_bytes() == f.read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert _rows(warehouse, "SELECT sha256, archived_path FROM audit.load_batches"
                                " WHERE file_name = %s", (f.name,)) == [(_sha(copy), str(copy))]

    # the archive is a landing folder: ingesting it as is changes nothing here ...
    again = ingest_paths([deliveries])
    assert {r.status for r in again} <= {"duplicate", "stale"}, [(r.file_name, r.status)
                                                                 for r in again]
    # ... and rebuilds the raw layer of an empty warehouse
    def raw(url: str) -> list[list[tuple]]:
        return [_rows(url, f"SELECT {cols} FROM raw.{t} ORDER BY 1, 2, 3") for t, cols in (
            ("kepesertaan", "periode, kode_wilayah, tk_aktif, segmen, kategori_pekerja"),
            ("peserta_rentan", "periode, peserta_id, kode_wilayah_domisili"),
            ("wilayah_perubahan", "kode_lama, kode_baru, berlaku_mulai"))]

    before = raw(warehouse)
    with module_warehouse(server_url, template_db, Path(os.environ["MONEV_STATE_DIR"])) as empty:
        rebuilt = ingest_paths([deliveries])
        assert all(r.ok for r in rebuilt), [(r.file_name, r.status, r.errors) for r in rebuilt]
        assert raw(empty) == before
    assert sorted(p.name for p in deliveries.iterdir()) == archived


def test_unknown_names_are_in_no_period_and_no_source_table(
    warehouse: str, tmp_path: Path
) -> None:
    from transform_support import build_ok

    landing = tmp_path / "landing"
    kep = _kep(landing / "kepesertaan_202403.csv")
    for i in range(5):
        (landing / f"junk_{i}.txt").write_text(f"junk {i}")
    (landing / "kepesertaan_maret.csv").write_text("x")
    for _ in range(3):  # the same folder, offered again and again
        results = ingest_paths([landing])
        unknown = [r for r in results if r.source == "unknown"]
        assert len(unknown) == 6 and all(r.status == "rejected" for r in unknown)
        assert all(r.errors[0].rule == "ingest.unknown_file" for r in unknown)
        assert all(r.kept_path and r.kept_path.exists() for r in unknown)
    assert _rows(warehouse, "SELECT DISTINCT source, period_key FROM audit.load_batches"
                            " WHERE source NOT LIKE 'wilayah%%' ORDER BY 1") == [
        ("kepesertaan", "2024-03")]
    # one row per name and content, however often it came
    seen = _rows(warehouse, "SELECT file_name, times_seen, kept_path IS NOT NULL"
                            " FROM audit.unknown_files ORDER BY 1")
    assert seen == [("junk_0.txt", 3, True), ("junk_1.txt", 3, True), ("junk_2.txt", 3, True),
                    ("junk_3.txt", 3, True), ("junk_4.txt", 3, True),
                    ("kepesertaan_maret.csv", 3, True)]
    build_ok(select=["+mart_sumber_data"])
    assert _rows(warehouse, "SELECT file_name, status FROM marts.mart_sumber_data"
                            " WHERE file_name NOT LIKE 'wilayah%%'"
                            " ORDER BY 1") == [(kep.name, "loaded")]


def test_a_file_replaced_in_place_is_a_contract_violation(
    warehouse: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    path = _kep(landing / "kepesertaan_202403.csv", tk_aktif=60)
    # a dry run binds no name: the sender may still change the file before delivering
    assert ingest_file(path, publish=False).status == "validated"
    path = _kep(landing / "kepesertaan_202403.csv", tk_aktif=80)
    first = ingest_file(path)
    assert first.status == "loaded"
    published = _rows(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row")
    original = path.read_bytes()
    st = path.stat()
    # other bytes, same size and modification time: a sender rewriting the file in place
    path.write_bytes(original.replace(b";80;", b";70;"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.read_bytes() != original

    replaced = ingest_file(path)
    assert replaced.status == "rejected"
    [error] = replaced.errors
    assert error.rule == "ingest.name_reused"
    assert f"batch {first.batch_id}" in error.message and "new revision" in error.message
    assert _rows(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row") == published
    assert _rows(warehouse, "SELECT status, reasons -> 0 ->> 'rule' FROM audit.load_batches"
                            " WHERE file_name = %s ORDER BY batch_id", (path.name,)) == [
        ("validated", None), ("loaded", None), ("rejected", "ingest.name_reused")]
    # the archive keeps the published bytes, the rejected folder the new ones
    assert (settings().archive_dir / "deliveries" / path.name).read_bytes() == original
    assert replaced.kept_path is not None and replaced.kept_path.read_bytes() == path.read_bytes()
    # the original bytes again are no violation (the name belongs to them)
    path.write_bytes(original)
    assert ingest_file(path).status == "duplicate"


def test_the_landing_intake_sees_a_file_replaced_in_place(
    warehouse: str, tmp_path: Path
) -> None:
    landing_dir = tmp_path / "landing"
    path = _kep(landing_dir / "kepesertaan_202403.csv", tk_aktif=80)
    landing = Landing(str(landing_dir), {})
    [f] = tracking.pending(landing, "kepesertaan")
    tracking.claim(landing, f, "run-1")
    result = ingest_file(landing.fetch(f.relpath))
    tracking.finish(landing, f.relpath, f.fingerprint, result.status, result.batch_id)
    assert result.status == "loaded"
    assert tracking.pending(landing, "kepesertaan") == []

    st = path.stat()
    original = path.read_bytes()
    path.write_bytes(original.replace(b";80;", b";70;"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    [again] = tracking.pending(landing, "kepesertaan")  # offered again, not ignored
    assert again.relpath == f.relpath and again.fingerprint != f.fingerprint
    tracking.claim(landing, again, "run-2")
    replaced = ingest_file(landing.fetch(again.relpath))
    tracking.finish(landing, again.relpath, again.fingerprint, replaced.status,
                    replaced.batch_id)
    assert replaced.status == "rejected" and replaced.errors[0].rule == "ingest.name_reused"
    assert _rows(warehouse, "SELECT status FROM audit.landing_files ORDER BY landing_file_id"
                 ) == [("loaded",), ("rejected",)]
    assert tracking.pending(landing, "kepesertaan") == []
    # a link in the landing folder is never offered (the same rule as the CLI's)
    (landing_dir / "kepesertaan_202404.csv").symlink_to(
        _kep(tmp_path / "outside" / "kepesertaan_202404.csv", periode="2024-04"))
    assert tracking.pending(landing, "kepesertaan") == []

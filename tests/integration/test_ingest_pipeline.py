"""The ingest pipeline on a real warehouse with the real quality gate: load, duplicate,
revisions, rejection (file kept byte for byte), failure mid-publish, dry run, and no
clear personal data anywhere."""

from __future__ import annotations

import stat
from pathlib import Path

import psycopg
import pytest
from extract_writers import (
    KEPESERTAAN_HEADER,
    kepesertaan_rows,
    nik,
    rentan_row,
    write_csv,
    write_rentan,
)

from monev.ingest import publish
from monev.ingest.pipeline import ingest_file, ingest_paths


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "integration-test-key")


def _kep(tmp_path: Path, name: str, n: int = 6, **over: object) -> Path:
    rows = kepesertaan_rows(n)
    for r in rows:
        r.update(over)
    return write_csv(tmp_path / name, KEPESERTAAN_HEADER, rows)


def _table(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def _batches(url: str) -> list[tuple]:
    return _table(url, "SELECT file_name, status, revision, superseded_by, rows"
                       " FROM audit.load_batches WHERE source = 'kepesertaan' ORDER BY batch_id")


def _stage_tables(url: str) -> list[tuple]:
    return _table(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'stage'")


def test_load_then_identical_file_is_a_noop(warehouse: str, tmp_path: Path) -> None:
    path = _kep(tmp_path, "kepesertaan_202403.csv")
    first = ingest_file(path)
    assert (first.status, first.rows) == ("loaded", 6), [e.message for e in first.errors]
    before = _table(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row")
    assert len(before) == 6 and {r[-2] for r in before} == {first.batch_id}
    again = ingest_file(path)
    assert again.status == "duplicate"
    assert _table(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row") == before
    assert [b[1] for b in _batches(warehouse)] == ["loaded", "duplicate"]
    assert _stage_tables(warehouse) == []
    # the shipped region changes were bootstrapped on first use
    assert _table(warehouse, "SELECT count(*) FROM raw.wilayah_perubahan")[0][0] > 0


def test_revision_supersedes_and_a_late_lower_revision_does_not(
    warehouse: str, tmp_path: Path
) -> None:
    rev0 = ingest_file(_kep(tmp_path, "kepesertaan_202403.csv", tk_baru=1))
    rev2 = ingest_file(_kep(tmp_path, "kepesertaan_202403_rev2.csv", n=4, tk_baru=2))
    late1 = ingest_file(_kep(tmp_path, "kepesertaan_202403_rev1.csv", tk_baru=3))
    other = ingest_file(_kep(tmp_path, "kepesertaan_202404.csv", periode="2024-04", tk_baru=4))
    assert [r.status for r in (rev0, rev2, late1, other)] == [
        "loaded", "loaded", "stale", "loaded"]
    assert _table(warehouse, "SELECT periode::text, tk_baru, count(*) FROM raw.kepesertaan"
                             " GROUP BY 1, 2 ORDER BY 1") == [("2024-03-01", 2, 4),
                                                               ("2024-04-01", 4, 6)]
    batches = _batches(warehouse)
    assert batches[0][1:4] == ("superseded", 0, rev2.batch_id)
    # the late rev1 was never published: stale, not superseded
    assert batches[2][1:4] == ("stale", 1, rev2.batch_id)


def test_failure_mid_publish_leaves_previous_data_intact(
    warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(_kep(tmp_path, "kepesertaan_202403.csv"))
    rentan = [rentan_row(nik=nik(serial=i)) for i in range(5)]
    ingest_file(write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", rentan))
    kep_before = _table(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row")
    rentan_before = _table(warehouse, "SELECT * FROM raw.peserta_rentan ORDER BY source_row")
    audit_before = _table(warehouse, "SELECT batch_id, status FROM audit.load_batches")

    def boom(conn: psycopg.Connection, batch: object) -> None:
        raise RuntimeError("disk full (injected)")

    original = publish._after_replace
    monkeypatch.setattr(publish, "_after_replace", boom)
    r1 = ingest_file(_kep(tmp_path, "kepesertaan_202403_rev1.csv", n=3, tk_baru=9))
    r2 = ingest_file(write_rentan(tmp_path / "peserta_rentan_202403_rev1.csv.gz", rentan[:2]))
    assert (r1.status, r2.status) == ("failed", "failed")
    assert "injected" in r1.errors[0].message
    assert _table(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row") == kep_before
    assert _table(warehouse, "SELECT * FROM raw.peserta_rentan ORDER BY source_row") == (
        rentan_before)
    after = dict(_table(warehouse, "SELECT batch_id, status FROM audit.load_batches"))
    assert {b: after[b] for b, _ in audit_before} == dict(audit_before)
    assert _stage_tables(warehouse) == []
    # (not monkeypatch.undo(): that would also undo the test warehouse's WAREHOUSE_URL
    # and send the retry to the default database)
    monkeypatch.setattr(publish, "_after_replace", original)
    retry = ingest_file(tmp_path / "peserta_rentan_202403_rev1.csv.gz")
    assert (retry.status, retry.rows) == ("loaded", 2)


def test_rejected_files_are_kept_byte_for_byte(warehouse: str, tmp_path: Path) -> None:
    ingest_file(_kep(tmp_path, "kepesertaan_202403.csv"))
    before = _table(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row")
    parse_bad = _kep(tmp_path, "kepesertaan_202403_rev1.csv", tk_keluar="dua")
    gate_bad = _kep(tmp_path, "kepesertaan_202403_rev2.csv", tk_aktif=101)  # > tk_terdaftar
    rentan_bad = write_rentan(tmp_path / "peserta_rentan_202403.csv.gz",
                              [rentan_row(), rentan_row(nik="123")])  # invalid NIK: the gate's
    results = ingest_paths([parse_bad, gate_bad, rentan_bad])
    assert [r.status for r in results] == ["rejected"] * 3
    assert results[0].errors[0].rule == "kepesertaan.number_format"
    assert results[0].errors[0].rows == [1, 2, 3, 4, 5, 6]
    assert "kepesertaan.tk_aktif_le_tk_terdaftar" in {e.rule for e in results[1].errors}
    assert "peserta_rentan.nik_valid" in {e.rule for e in results[2].errors}
    for r, src in zip(results, (parse_bad, gate_bad, rentan_bad), strict=True):
        assert r.kept_path is not None and r.kept_path.read_bytes() == src.read_bytes()
        assert r.kept_path.name == f"{r.batch_id}__{src.name}"
        assert stat.S_IMODE(r.kept_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(results[2].kept_path.stat().st_mode) == 0o600
    reasons = _table(warehouse, "SELECT reasons, kept_path FROM audit.load_batches"
                                f" WHERE batch_id = {results[0].batch_id}")[0]
    assert reasons[0][0]["rule"] == "kepesertaan.number_format" and reasons[0][0]["rows"]
    assert reasons[1] == str(results[0].kept_path)
    assert _table(warehouse, "SELECT * FROM raw.kepesertaan ORDER BY source_row") == before
    assert _table(warehouse, "SELECT count(*) FROM raw.peserta_rentan") == [(0,)]
    assert _stage_tables(warehouse) == []


def test_unknown_file_and_dry_run(warehouse: str, tmp_path: Path) -> None:
    stray = tmp_path / "kepesertaan_maret.csv"
    stray.write_text("x")
    [unknown] = ingest_paths([stray])
    assert unknown.status == "rejected" and unknown.errors[0].rule == "ingest.unknown_file"
    dry = ingest_file(_kep(tmp_path, "kepesertaan_202403.csv"), publish=False)
    assert (dry.status, dry.rows) == ("validated", 6)
    assert _table(warehouse, "SELECT count(*) FROM raw.kepesertaan") == [(0,)]
    assert ingest_file(tmp_path / "kepesertaan_202403.csv").status == "loaded"


def test_participants_by_partition_and_no_clear_personal_data_anywhere(
    warehouse: str, tmp_path: Path
) -> None:
    people = [(nik(born=f"19{60 + i}-0{1 + i % 9}-1{i % 9}", female=i % 2 == 1, serial=i),
               f"19{60 + i}-0{1 + i % 9}-1{i % 9}", f"NAMA ORANG NOMOR{i}") for i in range(8)]

    def rows(periode: str, who: list) -> list[dict]:
        return [rentan_row(periode, nik=n, tanggal_lahir=d, nama=name,
                           jenis_kelamin="P" if int(n[6:8]) > 40 else "L") for n, d, name in who]

    files = [
        write_rentan(tmp_path / "peserta_rentan_202402.csv.gz", rows("2024-02", people)),
        write_rentan(tmp_path / "peserta_rentan_202403.csv.gz", rows("2024-03", people[:6])),
        write_rentan(tmp_path / "peserta_rentan_202403_rev1.csv.gz", rows("2024-03", people[:5])),
    ]
    results = ingest_paths([tmp_path])
    assert [r.status for r in results] == ["loaded"] * 3, [r.errors for r in results]
    assert _table(warehouse, "SELECT periode::text, count(*), bool_and(nik_valid),"
                             " bool_and(nik_tanggal_cocok), bool_and(nik_kelamin_cocok)"
                             " FROM raw.peserta_rentan GROUP BY 1 ORDER BY 1") == [
        ("2024-02-01", 8, True, True, True), ("2024-03-01", 5, True, True, True)]
    parts = _table(warehouse, "SELECT c.relname FROM pg_inherits i JOIN pg_class c"
                              " ON c.oid = i.inhrelid WHERE i.inhparent = 'raw.peserta_rentan'"
                              "::regclass ORDER BY 1")
    assert parts == [("peserta_rentan_p202402",), ("peserta_rentan_p202403",)]
    # the same person has the same pseudonym in every month
    assert _table(warehouse, "SELECT count(DISTINCT peserta_id) FROM raw.peserta_rentan") == [(8,)]

    needles = [v for n, d, name in people for v in (n, d, name)]
    tables = _table(warehouse, "SELECT table_schema, table_name FROM information_schema.tables"
                               " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                               " AND table_type = 'BASE TABLE'")
    assert ("raw", "peserta_rentan_p202403") in tables and len(tables) > 10
    with psycopg.connect(warehouse) as conn:
        for schema, table in tables:
            hits = conn.execute(
                psycopg.sql.SQL("SELECT count(*) FROM {} AS t WHERE t::text ILIKE ANY(%s)")
                .format(psycopg.sql.Identifier(schema, table)),
                ([f"%{v}%" for v in needles],),
            ).fetchone()[0]
            assert hits == 0, f"personal data in {schema}.{table}"
    assert files[0].exists()


def test_cli_ingest_and_loads(warehouse: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from monev.cli import app

    good = _kep(tmp_path, "kepesertaan_202403.csv")
    runner = CliRunner()
    out = runner.invoke(app, ["ingest", str(good)], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "loaded" in out.output
    bad = _kep(tmp_path, "kepesertaan_202404.csv", periode="2024-04", iuran_rp="1.5")
    out = runner.invoke(app, ["ingest", str(bad)], terminal_width=200)
    assert out.exit_code == 1 and "kepesertaan.number_format" in out.output
    # the operator is told which file broke which rule, and where the file is kept
    assert "rejected kepesertaan_202404.csv: " in out.output
    assert "kept as delivered: " in out.output
    out = runner.invoke(app, ["loads", "--limit", "5"], terminal_width=200)
    assert out.exit_code == 0 and "rejected" in out.output and "loaded" in out.output


def test_sipd_budget_versions_are_separate_periods(warehouse: str, tmp_path: Path) -> None:
    from extract_writers import ANGGARAN_HEADER, anggaran_row, write_sipd

    def budget(name: str, versi: str, pagu: object, title_rows: int) -> Path:
        rows = [anggaran_row(versi=versi, pagu_rp=pagu),
                anggaran_row(versi=versi, pagu_rp=pagu, sasaran="NON_ASN")]
        total = [None, None, None, "TOTAL", *[None] * 8, pagu]
        return write_sipd(tmp_path / name, "anggaran", ANGGARAN_HEADER, rows,
                          title_rows=title_rows, trailer=[total])

    results = ingest_paths([
        budget("anggaran_2024_murni.xlsx", "murni", "1.000.000,00", 6),
        budget("anggaran_2024_perubahan.xlsx", "perubahan", 2_000_000, 1),
        budget("anggaran_2024_murni_rev1.xlsx", "murni", "1.500.000,50", 3),
    ])
    assert [r.status for r in results] == ["loaded"] * 3, [r.errors for r in results]
    assert _table(warehouse, "SELECT versi, pagu_rp::text, min(source_row), count(*)"
                             " FROM raw.anggaran GROUP BY 1, 2 ORDER BY 1") == [
        # data rows are numbered from the header down, whatever the title block's height
        ("murni", "1500000.50", 1, 2), ("perubahan", "2000000.00", 1, 2)]

"""The gate on the real path: files through monev.ingest.pipeline, the CLI dry run, the
results history and the offline Data Docs."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from monev.cli import app

HEADER = ("periode;kode_wilayah;nama_wilayah;segmen;kategori_pekerja;sumber_iuran;"
          "tk_terdaftar;tk_aktif;tk_baru;tk_keluar;jumlah_proyek;iuran_rp")


def _file(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _raw(conn: psycopg.Connection) -> tuple[int, str]:
    return conn.execute(
        "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
        " FROM raw.kepesertaan AS t").fetchone()


def test_pipeline_rejects_error_and_publishes_warning(warehouse: str, tmp_path: Path) -> None:
    from monev.ingest.pipeline import ingest_file

    good = _file(tmp_path, "kepesertaan_202402.csv",
                 ["2024-02;32.73;KOTA BANDUNG;PU;UMUM;MANDIRI;100;50;1;0;;1000"])
    assert ingest_file(good).status == "loaded"
    with psycopg.connect(warehouse) as conn:
        before = _raw(conn)

    bad = _file(tmp_path, "kepesertaan_202403.csv", [
        "2024-03;32.73;KOTA BANDUNG;PU;UMUM;MANDIRI;100;60;1;0;;1000",
        "2024-03;32.73;KOTA BANDUNG;BPU;UMUM;MANDIRI;10;11;1;0;;1000",
    ])
    result = ingest_file(bad)
    assert result.status == "rejected"
    assert [(f.rule, f.rows) for f in result.errors] == [
        ("kepesertaan.tk_aktif_le_tk_terdaftar", [2])]
    with psycopg.connect(warehouse) as conn:
        assert _raw(conn) == before
        status, reasons = conn.execute(
            "SELECT status, reasons FROM audit.load_batches WHERE batch_id = %s",
            (result.batch_id,)).fetchone()
        assert status == "rejected"
        assert reasons[0]["rule"] == "kepesertaan.tk_aktif_le_tk_terdaftar"
        assert reasons[0]["rows"] == [2]

    grown = _file(tmp_path, "kepesertaan_202403_rev1.csv",
                  ["2024-03;32.73;KOTA BANDUNG;PU;UMUM;MANDIRI;100;90;1;0;;1000"])
    result = ingest_file(grown)
    assert result.status == "loaded"
    assert "kepesertaan.tk_aktif_mom_change" in {w.rule for w in result.warnings}
    with psycopg.connect(warehouse) as conn:
        warnings = conn.execute(
            "SELECT warnings FROM audit.load_batches WHERE batch_id = %s",
            (result.batch_id,)).fetchone()[0]
        assert "kepesertaan.tk_aktif_mom_change" in {w["rule"] for w in warnings}
        history = conn.execute(
            "SELECT r.batch_id, count(*), count(*) FILTER (WHERE NOT v.success)"
            " FROM audit.validation_runs AS r JOIN audit.validation_results AS v USING (run_id)"
            " WHERE r.source = 'kepesertaan' GROUP BY r.batch_id ORDER BY r.batch_id").fetchall()
        assert len(history) == 3 and all(n >= 5 for _, n, _ in history)
        # the rejected file also broke the ±30 % band (50 → 71): error + warning recorded
        assert [bad_rules for *_, bad_rules in history] == [0, 2, 1]


def test_validate_is_a_dry_run_and_docs_work_offline(warehouse: str, tmp_path: Path) -> None:
    bad = _file(tmp_path, "kepesertaan_202403.csv",
                ["2024-03;32.98;X;PU;UMUM;MANDIRI;100;60;1;0;;1000"])
    out = CliRunner().invoke(app, ["validate", str(bad), "--docs"])
    assert out.exit_code == 1, out.output
    assert "kepesertaan.kode_wilayah_valid" in out.output
    with psycopg.connect(warehouse) as conn:
        assert _raw(conn)[0] == 0
    index = Path(re.search(r"data docs: (\S+)", out.output.replace("\n", "")).group(1))
    pages = list(index.parent.rglob("*.html"))
    assert index.exists() and len(pages) >= 2
    remote = re.compile(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", re.I)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not remote.search(html), page
        assert "<style>" in html
    assert any("kepesertaan" in p.read_text(encoding="utf-8") for p in pages)


def test_a_suite_that_cannot_run_rejects(warehouse: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken rule must never wave a batch through."""
    from monev.config import reset_settings
    from monev.ingest.pipeline import ingest_file
    from monev.quality import gate

    suites = tmp_path / "expectations"
    suites.mkdir()
    (suites / "kepesertaan.py").write_text(
        "from monev.quality.rules import Rule, row_check\n"
        "VERSION = 'broken'\n"
        "def checks(batch):\n"
        "    return [row_check('kepesertaan.broken', 'error',"
        " [Rule('kepesertaan.no_such_column', 'x', 'b.no_such_column > 0')])]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MONEV_EXPECTATIONS_DIR", str(suites))
    reset_settings()
    gate._load.cache_clear()
    result = ingest_file(_file(tmp_path, "kepesertaan_202403.csv",
                               ["2024-03;32.73;KOTA BANDUNG;PU;UMUM;MANDIRI;100;60;1;0;;1000"]))
    gate._load.cache_clear()
    assert result.status == "rejected"
    assert [f.rule for f in result.errors] == ["kepesertaan.broken"]
    assert "could not run" in result.errors[0].message

"""The dbt runner on the real PostgreSQL: incremental facts rebuild exactly the periods
whose published batch changed (a new month, a revision), a failing test fails the
build and the CLI, and the docs site and manifest are written.

Data goes through the real ingest pipeline as contract CSV files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from transform_support import build_ok, ingest, kepesertaan_file, module_warehouse
from typer.testing import CliRunner

FAKTA = ["+fct_kepesertaan_bulanan"]  # the fact and what it is built from
NO_TESTS = ["resource_type:test", "resource_type:unit_test"]

JAN = [
    ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 100, 80),
    ("62.71", "BPU", "PEKERJA_RENTAN", "APBD_KABKOTA", 50, 40),
    ("91.01", "PU", "UMUM", "MANDIRI", 30, 20),  # old Merauke code, now 93.01
]
FEB = [
    ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 110, 90),
    ("63.01", "PU", "UMUM", "PEMBERI_KERJA", 70, 65),
]
JAN_REV1 = [
    ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 100, 81),
    ("62.71", "BPU", "PEKERJA_RENTAN", "APBD_KABKOTA", 50, 41),
]


@pytest.fixture(scope="module")
def wh(
    server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    state = tmp_path_factory.mktemp("state")
    with module_warehouse(server_url, template_db, state) as url:
        yield url, state / "landing"


def _fact(url: str) -> dict[tuple[str, str], int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select to_char(periode, 'YYYY-MM'), kode_wilayah, sum(tk_aktif)"
            " from marts.fct_kepesertaan_bulanan group by 1, 2"
        ).fetchall()
    return {(r[0], r[1]): int(r[2]) for r in rows}


def _tamper(url: str, periode: str) -> None:
    """Overwrite a period in the fact so we can see whether a build touched it."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "update marts.fct_kepesertaan_bulanan set tk_aktif = -1"
            " where periode = to_date(%s, 'YYYY-MM')",
            (periode,),
        )


def test_incremental_rebuilds_only_changed_periods(wh: tuple[str, Path]) -> None:
    url, landing = wh
    ingest([kepesertaan_file(landing, "202201", JAN)])
    build_ok(select=FAKTA, exclude=NO_TESTS)
    assert _fact(url) == {
        ("2022-01", "62.01"): 80,
        ("2022-01", "62.71"): 40,
        ("2022-01", "93.01"): 20,  # delivered as 91.01
    }

    # a new month: only February is built; January (tampered) is left alone
    _tamper(url, "2022-01")
    ingest([kepesertaan_file(landing, "202202", FEB)])
    build_ok(select=FAKTA, exclude=NO_TESTS)
    assert _fact(url) == {
        ("2022-01", "62.01"): -1,
        ("2022-01", "62.71"): -1,
        ("2022-01", "93.01"): -1,
        ("2022-02", "62.01"): 90,
        ("2022-02", "63.01"): 65,
    }

    # a revision of January: January is rebuilt from rev1 (91.01 gone), February untouched
    _tamper(url, "2022-02")
    ingest([kepesertaan_file(landing, "202201", JAN_REV1, rev=1)])
    build_ok(select=FAKTA, exclude=NO_TESTS)
    assert _fact(url) == {
        ("2022-01", "62.01"): 81,
        ("2022-01", "62.71"): 41,
        ("2022-02", "62.01"): -1,
        ("2022-02", "63.01"): -1,
    }

    # nothing changed: nothing rebuilt
    build_ok(select=FAKTA, exclude=NO_TESTS)
    assert _fact(url)[("2022-02", "63.01")] == -1

    # full refresh rebuilds everything from raw
    build_ok(select=FAKTA, exclude=NO_TESTS, full_refresh=True)
    assert _fact(url) == {
        ("2022-01", "62.01"): 81,
        ("2022-01", "62.71"): 41,
        ("2022-02", "62.01"): 90,
        ("2022-02", "63.01"): 65,
    }


def test_failing_test_fails_build_and_cli(wh: tuple[str, Path]) -> None:
    from monev.cli import app
    from monev.transform.runner import build

    url, _ = wh
    # a code outside the region reference slipped into raw (the gate would reject it):
    # the fact keeps the row with no current region and its not_null test fails
    with psycopg.connect(url) as conn:
        conn.execute(
            "insert into raw.kepesertaan values ('2022-03-01', '99.99', null, 'PU', 'UMUM',"
            " 'MANDIRI', 1, 1, 0, 0, null, 0, 999999, 2)"
        )
    # the fact and its own tests (cautious selection leaves out relationship tests to
    # dimensions this partial build does not build); rebuilt in full, since a row that
    # bypassed the audit is no published batch, which is all an incremental build reads
    sel = ["stg_bpjs__kepesertaan", "fct_kepesertaan_bulanan"]
    cli = CliRunner().invoke(app, ["transform", "--full-refresh", "--select", " ".join(sel)])
    assert cli.exit_code == 1, cli.output
    assert "not_null_fct_kepesertaan_bulanan_kode_wilayah" in cli.output

    with psycopg.connect(url) as conn:
        conn.execute("delete from raw.kepesertaan where batch_id = 999999")
    result = build(select=sel, full_refresh=True)
    assert result.success, [(n.name, n.status) for n in result.failed]
    assert [n.name for n in result.models] == sel
    assert any(n.name == "not_null_fct_kepesertaan_bulanan_kode_wilayah" for n in result.nodes)


def test_docs_site_and_manifest(wh: tuple[str, Path]) -> None:
    from monev.transform import runner

    site = runner.docs()
    assert site.is_file()
    assert "mart_monev_wilayah_bulanan" in site.read_text(encoding="utf-8")
    manifest = runner.parse()
    text = manifest.read_text(encoding="utf-8")
    assert "model.monev.fct_kepesertaan_bulanan" in text
    assert "exposure.monev." in text


def test_first_build_on_a_fresh_warehouse_runs_unit_tests_green(warehouse: str) -> None:
    # Unit tests of incremental models need `this` to exist; on a brand-new warehouse
    # the runner builds first and runs them after, instead of failing the first build.
    from monev.transform.runner import build

    result = build()
    assert result.success, [(n.name, n.message) for n in result.failed] or result.error
    unit = [n for n in result.nodes if n.resource_type == "unit_test"]
    assert unit and all(n.status == "pass" for n in unit)
    assert any(n.resource_type == "model" for n in result.nodes)

"""The README's "Adding a source" is true: a toy monthly source added by its catalog
line, its spec module, its suite and its staging model (with its dbt source line) —
nothing else — is detected and loaded by the ingest DAG's tasks (its raw table made
from its spec), waited for by the completeness rule until its delivery is loaded,
listed among the report's sources, and read by dbt.

The toy is added the way an engineer would: a line appended to the catalog's SOURCES
(the catalog module re-executed with it), the spec module importable as
`monev.sources.toy`, the suite in (a copy of) the expectations folder, the staging model
in a copy of the dbt project. Files: tests/integration/toy_source/."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from dbt_sources_support import problems

from monev import catalog
from monev.config import PROJECT_ROOT, reset_settings
from monev.warehouse import db

HERE = Path(__file__).parent / "toy_source"
TOY_LINE = '    Source("toy", "month", report=True),'


def _catalog_with_toy() -> str:
    text = Path(catalog.__file__).read_text()
    out, n = re.subn(r"(\nSOURCES: tuple\[Source, \.\.\.\] = \((?:\n    .*)+)\n\)",
                     lambda m: f"{m[1]}\n{TOY_LINE}\n)", text, count=1)
    assert n == 1, "the catalog's SOURCES literal changed shape"
    return out


@pytest.fixture
def toy(warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The toy added; yields the landing folder."""
    from monev.sources import registry

    module_spec = importlib.util.spec_from_file_location("monev.sources.toy", HERE / "toy.py")
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    monkeypatch.setitem(sys.modules, "monev.sources.toy", module)
    module_spec.loader.exec_module(module)
    expectations = tmp_path / "expectations"
    shutil.copytree(PROJECT_ROOT / "expectations", expectations)
    shutil.copy(HERE / "toy_suite.py", expectations / "toy.py")
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "staging" / "toy").mkdir()
    for name in ("_toy__sources.yml", "stg_toy__toy.sql"):
        shutil.copy(HERE / name, project / "models" / "staging" / "toy" / name)
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("MONEV_EXPECTATIONS_DIR", str(expectations))
    monkeypatch.setenv("MONEV_DBT_PROJECT_DIR", str(project))
    monkeypatch.setenv("MONEV_LANDING_URL", str(landing))
    reset_settings()
    exec(compile(_catalog_with_toy(), catalog.__file__, "exec"), catalog.__dict__)
    try:
        importlib.reload(registry)
        db.forget_ready()  # the next connection migrates: audit.source_catalog gets the toy
        yield landing
    finally:
        importlib.reload(catalog)
        sys.modules.pop("monev.sources.toy", None)
        importlib.reload(registry)
        db.forget_ready()
        reset_settings()


def _loaded(conn: psycopg.Connection, source: str, period_key: str) -> None:
    conn.execute("INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes,"
                 " status, published_at) VALUES (%s, %s, %s, %s, 1, 'loaded', now())",
                 (source, period_key, f"{source}_{period_key}", f"{source}{period_key}"))


def _missing(periode: str) -> list[str]:
    from monev.readiness.completeness import plan

    return next(m.missing for m in plan(date(2025, 2, 3)).months if m.periode == periode)


def test_a_toy_source_added_by_its_spec_is_loaded_waited_for_and_listed(toy: Path) -> None:
    from monev.orchestration import ingest_tasks
    from monev.readiness.completeness import plan, waiting_files

    # the warehouse's copy of the catalog has it, last in load order
    assert "toy" in catalog.REPORT and catalog.LANDING_GROUPS[-1] == "toy"
    with db.connect(autocommit=True) as conn:
        assert conn.execute(
            "SELECT period, report, load_rank = (SELECT max(load_rank) FROM audit.source_catalog)"
            " FROM audit.source_catalog WHERE source = 'toy'").fetchone() == ("month", True, True)
        assert conn.execute("SELECT to_regclass('raw.toy')").fetchone()[0] is None
        # every other source the report needs has January: the month waits for the toy
        for source in catalog.REPORT:
            if source != "toy":
                _loaded(conn, source, "2025/murni" if catalog.BY_NAME[source].period == "budget"
                        else "2025-01")
        # marts built after those loads (a stand-in: no dbt here), so only sources decide
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute("CREATE TABLE marts.mart_monev_wilayah_bulanan (x int)")
        conn.execute("INSERT INTO audit.dbt_invocations (invocation_id, command, started_at,"
                     " finished_at, success) VALUES ('toy', 'build', now(), now(), true)")
    assert _missing("2025-01") == ["toy"]
    january = next(m for m in plan(date(2025, 2, 3)).months if m.periode == "2025-01")
    assert (january.decision, january.reason) == ("wait", "missing toy until 2025-02-08")

    (toy / "toy_202501.csv").write_text(
        "periode;kode_wilayah;nilai\n2025-01;11.01;7\n2025-01;11.02;0\n")
    # the DAG's detect: claimed under its own group, not for a run of an earlier month
    assert ingest_tasks.detect("2024-12", "toy-run-0") == []
    assert waiting_files() == 1
    items = ingest_tasks.detect(None, "toy-run-1")
    assert [(i["source"], i["period_key"]) for i in items] == [("toy", "2025-01")]

    # the DAG's load: gated by the toy suite, published into raw.toy made from the spec
    extra = ingest_tasks.load(items[0], None)
    assert (extra["source"], extra["periode"], extra["file"]) == ("toy", "2025-01",
                                                                  "toy_202501.csv")
    with db.connect() as conn:
        assert conn.execute("SELECT kode_wilayah, nilai FROM raw.toy ORDER BY 1").fetchall() == [
            ("11.01", 7), ("11.02", 0)]
        assert conn.execute("SELECT count(*) FROM audit.validation_runs r JOIN"
                            " audit.load_batches b USING (batch_id) WHERE b.source = 'toy'"
                            ).fetchone()[0] == 1
        assert conn.execute("SELECT complete, missing_sources FROM audit.month_completeness"
                            " WHERE periode = '2025-01'").fetchone() == (True, [])
    assert _missing("2025-01") == []

    # its staging model: dbt reads raw.toy through its source line, which the test on
    # dbt's sources demands (and misses in the project without the toy's yml)
    from monev.config import settings
    from monev.transform import runner

    staging = settings().dbt_project_dir / "models" / "staging"
    assert problems(staging) == []
    assert problems(PROJECT_ROOT / "dbt_project" / "models" / "staging") == [
        "catalog sources no dbt source declares: ['toy']"]
    result = runner.build(select=["stg_toy__toy"])
    assert result.success, result.failed or result.error
    with db.connect() as conn:
        assert conn.execute("SELECT sum(nilai) FROM staging.stg_toy__toy").fetchone()[0] == 7

    # the report lists it: section 9 is a plain read of this mart, whose sources are
    # audit.source_catalog's
    result = runner.build(select=["+mart_kesehatan_status_sumber"], exclude=["stg_toy__toy"])
    assert result.success, result.failed or result.error
    with db.connect() as conn:
        assert conn.execute(
            "SELECT status_muatan, file_name FROM marts.mart_kesehatan_status_sumber"
            " WHERE periode = '2025-01-01' AND source = 'toy'").fetchone() == (
                "loaded", "toy_202501.csv")

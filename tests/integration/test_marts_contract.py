"""Must fail: a mart whose SQL returns a column of another type or under another name
fails `dbt build` on the real PostgreSQL (its enforced model contract), and a mart table
BI tools read keeps the columns of its previous build.

Each case builds a copy of the dbt project with one model altered; the unaltered copy
builds first, so a failure can only come from the alteration. The participant fact is a
view over staging views: rebuilding those drops it with them (dbt drops with CASCADE),
so after its failed build it is absent, not kept - only the failure is asserted there.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from transform_support import build_ok, module_warehouse

from monev.config import PROJECT_ROOT, reset_settings
from monev.transform.runner import build

MARTS = ["dim_segmen", "mart_nik_ganda", "fct_peserta_rentan_bulanan"]
SELECT = ["+dim_segmen", "+mart_nik_ganda", "+fct_peserta_rentan_bulanan"]
NO_UNIT_TESTS = ["test_type:unit"]

# (mart, its file under models/marts, text in the SQL, replacement, column named in the error)
VIEWS = {"fct_peserta_rentan_bulanan"}
CASES = [
    pytest.param("dim_segmen", "core/dim_segmen.sql",
                 "{{ monev_dim_kode('kepesertaan', 'segmen') }}",
                 "select segmen_key, segmen, nama, keterangan, cast(urutan as text) as urutan"
                 " from ({{ monev_dim_kode('kepesertaan', 'segmen') }}) as d", "urutan",
                 id="table-type-changed"),
    pytest.param("mart_nik_ganda", "monev/mart_nik_ganda.sql",
                 "    g.iuran_ganda_rp\nfrom", "    g.iuran_ganda_rp as iuran_ganda\nfrom",
                 "iuran_ganda", id="incremental-column-renamed"),
    pytest.param("fct_peserta_rentan_bulanan", "core/fct_peserta_rentan_bulanan.sql",
                 "cast(to_char(d.periode, 'YYYYMM') as integer) as waktu_key",
                 "to_char(d.periode, 'YYYYMM') as waktu_key", "waktu_key",
                 id="view-type-changed"),
]


def _use_project(tmp: Path, mp: pytest.MonkeyPatch, edit: tuple[str, str, str] | None) -> None:
    """Point the runner at a copy of the dbt project (own state dir: own target and
    partial-parse cache), with `edit` = (file under models/marts, old, new) applied."""
    project = tmp / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    if edit:
        rel, old, new = edit
        sql = project / "models" / "marts" / rel
        text = sql.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{rel} changed: the test's edit no longer applies"
        sql.write_text(text.replace(old, new), encoding="utf-8")
    mp.setenv("MONEV_DBT_PROJECT_DIR", str(project))
    mp.setenv("MONEV_STATE_DIR", str(tmp / "state"))
    reset_settings()


def _columns(url: str) -> dict[str, list[tuple[str, str]]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' and table_name = any(%s)"
            " order by table_name, ordinal_position", (MARTS,)).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


@pytest.fixture(scope="module")
def built(
    server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, list[tuple[str, str]]]]]:
    """A warehouse where the unaltered project built the three marts (the control)."""
    with module_warehouse(server_url, template_db, tmp_path_factory.mktemp("state")) as url:
        with pytest.MonkeyPatch.context() as mp:
            _use_project(tmp_path_factory.mktemp("unaltered"), mp, None)
            build_ok(select=SELECT, exclude=NO_UNIT_TESTS)
        before = _columns(url)
        assert sorted(before) == sorted(MARTS)
        yield url, before


@pytest.mark.parametrize(("mart", "rel", "old", "new", "column"), CASES)
def test_a_mart_breaking_its_contract_fails_the_build(
    built: tuple[str, dict[str, list[tuple[str, str]]]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, mart: str, rel: str, old: str, new: str, column: str,
) -> None:
    url, before = built
    _use_project(tmp_path, monkeypatch, (rel, old, new))

    result = build(select=SELECT, exclude=NO_UNIT_TESTS)

    assert not result.success
    failed = {n.name: n.message or "" for n in result.failed}
    assert set(failed) == {mart}, failed
    assert "contract" in failed[mart].lower() and column in failed[mart], failed[mart]
    # the tables dashboards read are the ones built before, columns and types unchanged
    after = _columns(url)
    assert {t: c for t, c in after.items() if t not in VIEWS} == {
        t: c for t, c in before.items() if t not in VIEWS}

"""The code lists live in the source specs; dbt reads them from one seed generated from
the specs (monev.transform.code_lists). These tests fail when the committed seed is
stale, when a dbt yml copies a spec's list into accepted_values again, when a coded
staging column is not tested against the seed, or a fixed dimension lists codes itself."""

from __future__ import annotations

import csv
import io

import yaml

from monev.config import PROJECT_ROOT
from monev.sources.registry import SPECS
from monev.transform import code_lists

MODELS = PROJECT_ROOT / "dbt_project" / "models"
# dimension -> (source, column) of the spec list it presents
DIMENSIONS = {
    "dim_segmen": ("kepesertaan", "segmen"),
    "dim_kategori_pekerja": ("kepesertaan", "kategori_pekerja"),
    "dim_sumber_iuran": ("kepesertaan", "sumber_iuran"),
    "dim_program": ("peserta_rentan", "program"),
    "dim_versi_anggaran": ("anggaran", "versi"),
}
# accepted_values lists that are a model's own rule, not a copy of a spec's list: the
# projection mart measures against one target series only.
OWN_LISTS = {("mart_proyeksi_target", "sumber_target")}


def _tests() -> list[tuple[str, str, str, dict]]:
    """(model, column, test name, arguments) of every column test in the models' ymls."""
    out = []
    for path in MODELS.rglob("*.yml"):
        doc = yaml.safe_load(path.read_text()) or {}
        for model in doc.get("models", []):
            for col in model.get("columns", []):
                for test in col.get("data_tests", []) or []:
                    if isinstance(test, dict):
                        [(name, body)] = test.items()
                        out.append((model["name"], col["name"], name,
                                    (body or {}).get("arguments") or body or {}))
    return out


def test_the_committed_seed_is_what_the_specs_give() -> None:
    assert not code_lists.stale(), (
        "dbt_project/seeds is stale: run `.venv/bin/python -m monev.transform.code_lists`")
    text = code_lists.render()[code_lists.SEED_DIR / f"{code_lists.SEED_NAME}.csv"]
    seeded = {(r["sumber"], r["kolom"], r["kode"]) for r in csv.DictReader(io.StringIO(text))}
    from_specs = {(s.name, c, v) for s in SPECS for c, vs in s.code_lists.items() for v in vs}
    assert seeded == from_specs and len(from_specs) > 40


def test_a_spec_change_makes_the_seed_stale(monkeypatch) -> None:
    spec = next(s for s in SPECS if "segmen" in s.code_lists)
    monkeypatch.setitem(spec.code_lists, "segmen", (*spec.code_lists["segmen"], "BARU"))
    monkeypatch.setitem(spec.code_labels, "segmen",
                        {**spec.code_labels["segmen"], "BARU": {"nama": "Baru"}})
    assert code_lists.stale()


def test_no_yml_copies_a_spec_list() -> None:
    spec_lists = {frozenset(v.upper() for v in vs) for s in SPECS for vs in s.code_lists.values()}
    copies = [
        f"{model}.{column}: {args['values']}"
        for model, column, name, args in _tests()
        if name == "accepted_values" and (model, column) not in OWN_LISTS
        and any(frozenset(str(v).upper() for v in args["values"]) <= spec
                for spec in spec_lists)
    ]
    assert not copies, "read the seed (in_code_list) instead of copying a spec's list: " + (
        "; ".join(copies))


def test_every_coded_staging_column_is_tested_against_the_seed() -> None:
    tested = {(model, column, args.get("sumber"))
              for model, column, name, args in _tests() if name == "in_code_list"}
    sources = {s.name for s in SPECS}
    assert {t[2] for t in tested} <= sources, "in_code_list names an unknown source"
    missing = []
    for spec in SPECS:
        staging = [m for m, _, _ in tested if m.startswith("stg_") and m.endswith(f"__{spec.name}")]
        for column in spec.code_lists:
            if not any((m, column, spec.name) in tested for m in staging):
                missing.append(f"{spec.name}.{column}")
    assert not missing, f"coded columns without an in_code_list test: {missing}"


def test_the_fixed_dimensions_read_the_seed() -> None:
    for dim, (sumber, kolom) in DIMENSIONS.items():
        sql = (MODELS / "marts" / "core" / f"{dim}.sql").read_text()
        assert "values" not in sql.lower(), f"{dim} lists codes itself"
        assert f"monev_dim_kode('{sumber}', '{kolom}'" in sql, f"{dim} does not read the seed"
    macro = (MODELS.parent / "macros" / "utils" / "monev_dim_kode.sql").read_text()
    assert "ref('daftar_kode')" in macro and "where sumber = '{{ sumber }}'" in macro

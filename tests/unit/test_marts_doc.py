"""docs/MARTS.md is generated from the marts' ymls and must not be stale; every mart
declares what its contract needs (a type per column, a grain of its own columns)."""

from __future__ import annotations

import re

import yaml

from monev.transform.marts_doc import DBT_PROJECT, DOC, MARTS, load, render


def test_the_marts_document_matches_the_ymls() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/MARTS.md is stale: run `.venv/bin/python -m monev.transform.marts_doc`")


def test_every_marts_model_is_documented_with_typed_columns_and_a_grain() -> None:
    marts = load()
    assert sorted(f for m in marts for f in m.files) == sorted(
        p.stem for p in MARTS.rglob("*.sql"))
    text = render(marts)
    for m in marts:
        names = [c.name for c in m.columns]
        assert f"### `marts.{m.name}`" in text
        assert m.columns and all(c.data_type for c in m.columns), m.name
        assert m.grain and set(m.grain) <= set(names), m.name
        assert all(f"| `{c}` |" in text for c in names)


def test_the_contract_is_enforced_for_the_whole_folder_and_never_switched_off() -> None:
    project = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    marts = project["models"]["monev"]["marts"]
    assert marts["+contract"] == {"enforced": True}
    # contracts on incremental models need one of these (dbt refuses the others)
    assert marts["+on_schema_change"] in ("append_new_columns", "fail")
    for path in MARTS.rglob("*"):
        if path.suffix in (".sql", ".yml"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"contract\s*[:=]|enforced|on_schema_change", text), path

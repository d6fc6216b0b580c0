"""docs/MARTS.md is generated from the marts' ymls and must not be stale; every mart
declares what its contract needs (a type per column, a grain of its own columns)."""

from __future__ import annotations

import re

import yaml

from monev.transform.marts_doc import (
    DBT_PROJECT,
    DOC,
    DOMAIN_WORDS,
    GRANDFATHERED,
    MACHINERY,
    MARTS,
    load,
    naming_problem,
    render,
)


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


def test_every_mart_column_follows_the_naming_rule() -> None:
    """Domain words Indonesian, machinery English (docs/MARTS.md, "Naming columns"): any
    column of a new model, or a new column of an existing one, follows the rule; only the
    listed existing exceptions are let through."""
    broken = {
        (m.name, c.name): problem
        for m in load() for c in m.columns
        if (problem := naming_problem(c.name))
    }
    new = {k: v for k, v in broken.items() if k not in GRANDFATHERED}
    assert not new, "mart columns breaking the naming rule:\n" + "\n".join(
        f"  {m}.{c}: {why}" for (m, c), why in sorted(new.items()))
    # the exceptions only shrink: a fixed or removed column leaves the list
    assert set(broken) == set(GRANDFATHERED), sorted(set(GRANDFATHERED) - set(broken))


def test_the_naming_rule_refuses_english_domain_words_and_odd_names() -> None:
    assert naming_problem("peserta_aktif") is None
    assert naming_problem("iuran_ganda_rp") is None
    assert naming_problem("loaded_at") is None  # machinery
    assert naming_problem("coverage_persen") is not None  # an English domain word
    assert naming_problem("peserta_loaded_at") is not None  # machinery words in a domain name
    assert naming_problem("is_aktif") is not None
    assert naming_problem("PesertaAktif") is not None
    assert naming_problem("x" * 64) is not None
    # "status" is spelled alike in both languages (KBBI has it); no other word is shared
    shared = DOMAIN_WORDS & {w for c in MACHINERY for w in c.split("_")}
    assert shared == {"status"}, shared

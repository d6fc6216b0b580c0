"""The code lists live in the source specs; dbt repeats them in accepted_values tests
and in the fixed dimensions. This test fails when a copy in dbt drifts from its spec."""

from __future__ import annotations

import re

import yaml

from monev.config import PROJECT_ROOT
from monev.records import BATCH_STATUSES
from monev.sources.registry import SPECS

MODELS = PROJECT_ROOT / "dbt_project" / "models"
# column -> every list a spec defines for it (sumber_iuran: the recap's 8 payers and
# the participant list's 4)
LISTS: dict[str, list[set[str]]] = {}
for s in SPECS:
    for column, values in s.code_lists.items():
        LISTS.setdefault(column, []).append({v.upper() for v in values})


# Columns whose list is not a delivered code list: the projection mart measures against
# one target series only (a subset, still held to the spec), and its `status` is the
# mart's own verdict (on track / at risk / off track), not a source's status column.
SUBSETS = {("mart_proyeksi_target", "sumber_target")}
OWN_LISTS = {("mart_proyeksi_target", "status")}


def _accepted_values() -> list[tuple[str, str, set[str]]]:
    out = []
    for path in MODELS.rglob("*.yml"):
        doc = yaml.safe_load(path.read_text()) or {}
        for model in doc.get("models", []):
            for col in model.get("columns", []):
                for test in col.get("data_tests", []) or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        av = test["accepted_values"]
                        values = (av.get("arguments") or av)["values"]
                        out.append((model["name"], col["name"], {str(v).upper() for v in values}))
    return out


def test_every_accepted_values_list_is_a_spec_list() -> None:
    drifted = []
    checked = 0
    for model, column, values in _accepted_values():
        if column not in LISTS or (model, column) in OWN_LISTS:
            continue
        if (model, column) in SUBSETS:
            checked += 1
            if not any(values <= spec for spec in LISTS[column]):
                drifted.append(f"{model}.{column}: {sorted(values)} not within {LISTS[column]}")
            continue
        if column == "status" and values <= set(s.upper() for s in BATCH_STATUSES):
            continue  # audit statuses: tested against records.BATCH_STATUSES
        checked += 1
        if values not in LISTS[column]:
            drifted.append(f"{model}.{column}: {sorted(values)} vs spec {LISTS[column]}")
    assert checked >= 10, "found too few accepted_values tests on code-list columns"
    assert not drifted, "\n".join(drifted)


def _dimension_codes(model: str) -> set[str]:
    sql = (MODELS / "marts" / "core" / f"{model}.sql").read_text()
    values = sql[sql.index("(values"):]
    return set(re.findall(r"^\s*\('([A-Z_]+)'", values, flags=re.MULTILINE))


def test_the_fixed_dimensions_list_the_spec_codes() -> None:
    by = {s.name: s for s in SPECS}
    assert _dimension_codes("dim_segmen") == set(by["kepesertaan"].code_lists["segmen"])
    assert _dimension_codes("dim_kategori_pekerja") == set(
        by["kepesertaan"].code_lists["kategori_pekerja"])
    assert _dimension_codes("dim_sumber_iuran") == set(
        by["kepesertaan"].code_lists["sumber_iuran"])
    assert _dimension_codes("dim_program") == set(by["peserta_rentan"].code_lists["program"])


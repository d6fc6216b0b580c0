"""A served mart column is renamed, removed or retyped only through a new dbt model
version (docs/MARTS.md, "Changing a mart"): the columns every mart version served are
committed in dbt_project/marts_columns.json, and each must still be there, same type."""

from __future__ import annotations

import copy

from monev.transform import contracts, mart_columns


def test_no_served_column_was_renamed_removed_or_retyped() -> None:
    problems = mart_columns.broken(mart_columns.committed(), mart_columns.current())
    assert not problems, (
        "a served mart column changed in place - publish a new model version instead "
        "(docs/MARTS.md, 'Changing a mart'):\n" + "\n".join(problems))


def test_every_mart_column_is_recorded() -> None:
    missing = mart_columns.unrecorded(mart_columns.committed(), mart_columns.current())
    assert not missing, (
        f"new mart columns not recorded: {missing}; run "
        "`.venv/bin/python -m monev.transform.mart_columns`")


def test_a_rename_is_caught_and_a_new_version_is_not() -> None:
    served = mart_columns.current()
    assert len(served) >= 20 and all(served.values())
    renamed = copy.deepcopy(served)
    cols = renamed["mart_monev_wilayah_bulanan"]
    cols["selisih_target_pp"] = cols.pop("gap_pp")
    assert mart_columns.broken(served, renamed) == [
        "mart_monev_wilayah_bulanan.gap_pp: gone (renamed or removed)"]
    retyped = copy.deepcopy(served)
    retyped["mart_monev_wilayah_bulanan"]["gap_pp"] = "text"
    assert mart_columns.broken(served, retyped)
    # the same rename as a v2 beside v1, which keeps the relation name, breaks nothing
    versioned = copy.deepcopy(served)
    versioned["mart_monev_wilayah_bulanan_v2"] = cols
    assert mart_columns.broken(served, versioned) == []
    kept = mart_columns.merged(served, renamed)
    assert "gap_pp" in kept["mart_monev_wilayah_bulanan"]  # recording never forgets one


def test_version_columns_follow_include_and_exclude() -> None:
    model = {"columns": [{"name": "a", "data_type": "text"}, {"name": "b", "data_type": "int"}]}
    assert contracts.version_columns(model, {"v": 1}) == {"a": "text", "b": "int"}
    v2 = {"v": 2, "columns": [{"include": "all", "exclude": ["b"]},
                              {"name": "c", "data_type": "numeric"}]}
    assert contracts.version_columns(model, v2) == {"a": "text", "c": "numeric"}


def test_one_reader_of_the_marts_definitions() -> None:
    """The doc, the snapshot and the report builder read the same declarations: the
    report's runtime contracts are the served columns of the unversioned marts and the
    doc's columns, not a second reading of the ymls."""
    from monev.reports import data
    from monev.transform import marts_doc

    doc = {m.name: {c.name: c.data_type for c in m.columns} for m in marts_doc.load()}
    assert data.contracts() == contracts.contracts() == doc
    served = mart_columns.current()
    assert {r: c for r, c in served.items() if r in doc} == {
        r: c for r, c in doc.items() if r in served}
    # nobody else walks the marts' ymls
    import inspect
    for module in (marts_doc, mart_columns, data):
        assert 'glob("*.yml")' not in inspect.getsource(module), module.__name__

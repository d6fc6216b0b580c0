"""The dbt sources over `raw` are the catalog's sources: each raw table a staging model
reads is declared once, every catalog source is declared, and a group's freshness query
looks at its own tables' loads (the yml is written by hand: this test keeps it the
catalog's; the toy-source test shows it catching a source added without its line)."""

from __future__ import annotations

from dbt_sources_support import problems

from monev.config import PROJECT_ROOT


def test_dbt_raw_sources_are_the_catalogs() -> None:
    assert problems(PROJECT_ROOT / "dbt_project" / "models" / "staging") == []

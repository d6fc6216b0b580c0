"""The dbt sources over `raw` are the catalog's sources: each raw table a staging model
reads is declared once, every catalog source is declared, and a group's freshness query
looks at its own tables' loads — the yml is written by hand (dbt cannot loop), so this
test is what keeps it the catalog's."""

from __future__ import annotations

import re

import yaml

from monev import catalog
from monev.config import PROJECT_ROOT

STAGING = PROJECT_ROOT / "dbt_project" / "models" / "staging"
# the region seed: shipped with the code and loaded by the migration, not delivered
SEEDED = {"wilayah"}


def _raw_sources() -> list[dict]:
    found = []
    for path in sorted(STAGING.rglob("_*sources*.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if source.get("schema") == "raw":
                found.append(source)
    return found


def test_every_catalog_source_is_a_dbt_source_once() -> None:
    tables = [t["name"] for s in _raw_sources() for t in s["tables"]]
    assert len(tables) == len(set(tables)), f"declared twice: {tables}"
    assert set(tables) - SEEDED == set(catalog.NAMES), (
        "dbt sources over raw and monev.catalog differ: "
        f"only in dbt {sorted(set(tables) - SEEDED - set(catalog.NAMES))}, "
        f"only in the catalog {sorted(set(catalog.NAMES) - set(tables))}")


def test_each_freshness_query_reads_its_own_sources() -> None:
    for source in _raw_sources():
        own = {t["name"] for t in source["tables"]} - SEEDED
        query = " ".join(source["loaded_at_query"].split())
        if "audit.source_catalog" in query:
            # a period kind of the catalog: the group must be exactly that kind
            kind = re.search(r"period = '(\w+)'", query)
            assert kind, query
            assert own == {s.name for s in catalog.SOURCES if s.period == kind[1]}, source["name"]
            continue
        listed = re.search(r"source in \(([^)]*)\)", query)
        assert listed, f"{source['name']}: loaded_at_query names no sources: {query}"
        assert set(re.findall(r"'(\w+)'", listed[1])) == own, source["name"]

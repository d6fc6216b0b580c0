"""What keeps dbt's hand-written sources over `raw` equal to monev.catalog (dbt cannot
loop over a list): every catalog source declared once, nothing else, and each group's
freshness query reading its own sources' loads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from monev import catalog

# the region seed: shipped with the code and loaded by the migration, not delivered
SEEDED = {"wilayah"}


def raw_sources(staging: Path) -> list[dict]:
    found = []
    for path in sorted(staging.rglob("_*sources*.yml")):
        found += [s for s in yaml.safe_load(path.read_text())["sources"]
                  if s.get("schema") == "raw"]
    return found


def problems(staging: Path) -> list[str]:
    """How the dbt sources under `staging` differ from the catalog (none: equal)."""
    out = []
    sources = raw_sources(staging)
    tables = [t["name"] for s in sources for t in s["tables"]]
    if len(tables) != len(set(tables)):
        out.append(f"a raw table is declared twice: {sorted(tables)}")
    if extra := set(tables) - SEEDED - set(catalog.NAMES):
        out.append(f"dbt sources not in the catalog: {sorted(extra)}")
    if absent := set(catalog.NAMES) - set(tables):
        out.append(f"catalog sources no dbt source declares: {sorted(absent)}")
    for source in sources:
        own = {t["name"] for t in source["tables"]} - SEEDED
        query = " ".join(source.get("loaded_at_query", "").split())
        if kind := re.search(r"audit\.source_catalog where period = '(\w+)'", query):
            # a period kind of the catalog: the group must be exactly that kind
            read = {s.name for s in catalog.SOURCES if s.period == kind[1]}
        elif listed := re.search(r"source in \(([^)]*)\)", query):
            read = set(re.findall(r"'(\w+)'", listed[1]))
        else:
            read = set()
        if read != own:
            out.append(f"{source['name']}: the freshness query reads {sorted(read)}, "
                       f"its tables are {sorted(own)}")
    return out

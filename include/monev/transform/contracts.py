"""The one reader of the marts' dbt definitions (models/marts/**/*.yml): each mart
model as dbt declares it, its versions' contract columns resolved as dbt resolves them,
and the columns each served relation has. docs/MARTS.md (marts_doc), the served-columns
snapshot (mart_columns) and the report builder's runtime contracts (reports.data) all
read the marts through here, so the three cannot read a yml three ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from monev.config import PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
MARTS = DBT_PROJECT / "models" / "marts"

Columns = dict[str, str]  # column -> declared data type, in contract order


@dataclass(frozen=True)
class Declared:
    """One mart model as its yml declares it."""

    folder: str          # the folder under models/marts (core, monev, health)
    path: Path           # its yml
    model: dict[str, Any]
    unit_tests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.model["name"]

    @property
    def columns(self) -> Columns:
        return version_columns(self.model, {})


def declared() -> list[Declared]:
    """Every mart model, by yml path (folder, then file name), in file order."""
    out = []
    for path in sorted(MARTS.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        units = doc.get("unit_tests") or []
        for m in doc.get("models") or []:
            out.append(Declared(path.parent.relative_to(MARTS).parts[0], path, m,
                                [u for u in units if u.get("model") == m["name"]]))
    return out


def version_columns(model: dict[str, Any], version: dict[str, Any]) -> Columns:
    """A version's columns, as dbt resolves them: the model's columns by
    `include`/`exclude` (all when the version lists none), then its own."""
    base = {c["name"]: str(c.get("data_type") or "") for c in model.get("columns") or []}
    spec = version.get("columns")
    if spec is None:
        return base
    out: Columns = {}
    for entry in spec:
        if "include" in entry:
            include = entry["include"]
            names = base if include in ("all", "*") else include
            out.update({n: base[n] for n in names if n not in (entry.get("exclude") or [])})
        else:
            out[entry["name"]] = str(entry.get("data_type") or "")
    return out


def served() -> dict[str, Columns]:
    """The contract columns of every relation of the marts schema, keyed by the relation
    BI reads: a version's alias, else <model>_v<N>; an unversioned model's name."""
    out: dict[str, Columns] = {}
    for d in declared():
        for v in d.model.get("versions") or []:
            alias = (v.get("config") or {}).get("alias") or f"{d.name}_v{v['v']}"
            out[alias] = version_columns(d.model, v)
        if not d.model.get("versions"):
            out[d.name] = d.columns
    return out


@cache
def contracts() -> dict[str, Columns]:
    """Each mart's columns in order, with their declared types (its dbt contract): what
    the report builder reads at run time."""
    return {d.name: d.columns for d in declared()}

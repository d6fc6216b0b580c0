"""dbt macros follow dbt Labs' layout: one macro per file, the file named as the macro,
each documented (description and every argument) in a macros yml of its folder."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros"
_DEF = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(([^)]*)\)")


def _defined() -> dict[str, tuple[Path, list[str]]]:
    found: dict[str, tuple[Path, list[str]]] = {}
    for path in sorted(MACROS.rglob("*.sql")):
        defs = _DEF.findall(path.read_text())
        assert len(defs) == 1, f"{path.relative_to(MACROS)}: {len(defs)} macros, want one per file"
        name, params = defs[0]
        assert path.stem == name, f"{path.relative_to(MACROS)} defines {name}: name it {name}.sql"
        args = [p.split("=")[0].strip() for p in params.split(",") if p.strip()]
        found[name] = (path, args)
    return found


def _documented() -> dict[str, dict]:
    docs: dict[str, dict] = {}
    for path in sorted(MACROS.rglob("*.yml")):
        for entry in (yaml.safe_load(path.read_text()) or {}).get("macros", []):
            assert entry["name"] not in docs, f"{entry['name']} documented twice"
            docs[entry["name"]] = entry
    return docs


def test_one_macro_per_file_named_as_the_macro() -> None:
    assert _defined()


def test_every_macro_is_documented_with_its_arguments() -> None:
    defined, docs = _defined(), _documented()
    assert sorted(set(docs) - set(defined)) == [], "documented macros that do not exist"
    for name, (path, args) in defined.items():
        assert name in docs, f"{path.relative_to(MACROS)}: {name} has no entry in a macros yml"
        entry = docs[name]
        assert (entry.get("description") or "").strip(), f"{name}: no description"
        documented_args = [a["name"] for a in entry.get("arguments") or []]
        assert documented_args == args, f"{name}: arguments {args}, documented {documented_args}"
        for arg in entry.get("arguments") or []:
            assert (arg.get("description") or "").strip(), f"{name}.{arg['name']}: no description"

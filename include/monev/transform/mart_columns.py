"""The served columns of every mart, as committed in dbt_project/marts_columns.json: each
relation of the marts schema (a model, or each version of a versioned one, under the
relation name BI reads) with its contract columns and their types.

A served column is never renamed, removed or retyped in place: that is a new model
version (docs/MARTS.md, "Changing a mart"). tests/unit/test_mart_columns.py fails when a
column recorded here is gone from the version that served it, or when a mart column is
not recorded yet. `python -m monev.transform.mart_columns` records the new columns and
versions and never forgets one: a version retired after its deprecation date is removed
from the file by hand, in the change that deletes it."""

from __future__ import annotations

import json
import sys

from monev.config import PROJECT_ROOT
from monev.transform import contracts

SNAPSHOT = PROJECT_ROOT / "dbt_project" / "marts_columns.json"

Served = dict[str, dict[str, str]]  # relation in marts -> column -> type


def current() -> Served:
    """The contract columns every mart declares in its yml, per served relation."""
    return contracts.served()


def committed() -> Served:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}


def broken(served: Served, now: Served) -> list[str]:
    """Served columns that were renamed, removed or retyped in place."""
    out = []
    for relation, columns in served.items():
        if relation not in now:
            out.append(f"{relation}: the relation is gone")
            continue
        for name, data_type in columns.items():
            if name not in now[relation]:
                out.append(f"{relation}.{name}: gone (renamed or removed)")
            elif now[relation][name] != data_type:
                out.append(f"{relation}.{name}: type {data_type} became {now[relation][name]}")
    return out


def unrecorded(served: Served, now: Served) -> list[str]:
    return [f"{r}.{c}" for r, cols in now.items() for c in cols
            if c not in served.get(r, {})]


def merged(served: Served, now: Served) -> Served:
    """The snapshot with the new relations and columns added; nothing served dropped."""
    out = {r: dict(cols) for r, cols in served.items()}
    for relation, columns in now.items():
        for name, data_type in columns.items():
            out.setdefault(relation, {}).setdefault(name, data_type)
    return {r: out[r] for r in sorted(out)}


def main() -> int:
    served, now = committed(), current()
    problems = broken(served, now)
    SNAPSHOT.write_text(json.dumps(merged(served, now), indent=1) + "\n", encoding="utf-8")
    for p in problems:
        print(f"breaking: {p} - publish a new model version (docs/MARTS.md, "
              "'Changing a mart')", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Data flows one way in the imports too: a module imports only its own layer and the
ones before it in the pipeline (landing → parse → stage → gate → publish → dbt →
reports; orchestration and the CLI on top). A new top-level module or package must be
placed in LAYERS, so where it sits in the flow is a decision, not an accident."""

from __future__ import annotations

import ast
from pathlib import Path

from monev.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "include" / "monev"
# layer of each top-level module or package of `monev`; lower = earlier in the flow
LAYERS = {
    "config": 0, "catalog": 0, "records": 0, "console": 0, "mail": 0, "referensi": 0, "periods": 0,
    "private_files": 0,
    "warehouse": 1, "synthetic": 1,
    "sources": 2,
    "quality": 3,
    "ingest": 4,
    "transform": 5,
    # readiness reads the warehouse's completeness and the report runs (the semester
    # plan asks the semester build for its audit scope)
    "reports": 6, "bi": 6, "readiness": 6,
    "orchestration": 7,
    "localrun": 8,
    "cli": 9,
}


def _top(module: str) -> str:
    return module.split(".")[1] if module.startswith("monev.") else ""


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, monev module) of every import in the file, late imports included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("monev.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "monev":
                out += [(node.lineno, f"monev.{a.name}") for a in node.names]
            elif node.module.startswith("monev."):
                out.append((node.lineno, node.module))
    return out


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
            or (p.is_dir() and any(p.glob("*.py")))}
    assert tops <= set(LAYERS), f"place these in LAYERS: {sorted(tops - set(LAYERS))}"


def test_no_module_imports_a_later_stage() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        me = _top("monev." + ".".join(rel.with_suffix("").parts[1:]))
        for line, module in _imports(path):
            them = _top(module)
            if them and LAYERS[them] > LAYERS[me]:
                upward.append(f"{rel}:{line} ({me}) imports {module} ({them})")
    assert not upward, "imports against the data flow:\n" + "\n".join(upward)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def test_no_circle_of_imports_between_modules() -> None:
    """Within a layer too, modules import one way: a circle (completeness → late_data →
    report_tasks → completeness, once) means no module of it can be read or changed
    alone. Late imports count: they only hide the circle from the interpreter."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                # `from monev.pkg import module` depends on the module, not on pkg's body
                edges |= subs or ({node.module} & modules.keys())
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names} & modules.keys()
        graph[name] = edges - {name}

    circles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                circle = trail[trail.index(nxt):]
                if min(circle) == circle[0]:  # report each circle once
                    circles.append([*circle, nxt])
            elif nxt not in done:
                walk(nxt, [*trail, nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        walk(start, [start])
    assert not circles, "circles of imports:\n" + "\n".join(" → ".join(c) for c in circles)

"""docs/EXTRACTS.md is generated from the source specs and must not be stale."""

from __future__ import annotations

from monev.sources.contract import DOC, render
from monev.sources.registry import SPECS


def test_the_extracts_document_matches_the_specs() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/EXTRACTS.md is stale: run `.venv/bin/python -m monev.sources.contract`")


def test_it_documents_every_source_and_column() -> None:
    text = render()
    for s in SPECS:
        assert f"## `{s.name}`" in text
        assert all(f"| `{c}` |" in text for c in s.delivered)

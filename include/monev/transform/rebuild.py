"""`monev rebuild`: the warehouse again from the archive of accepted deliveries.

The archived deliveries (`<MONEV_ARCHIVE_DIR>/deliveries`) go through the normal ingest
(`monev.ingest.pipeline.ingest_paths`, as `monev ingest DIR` does: same parsing, same
pseudonym key, same gate, sources in contract order) into an empty warehouse, then
`dbt build`. With a new pseudonym key this is the key rotation (docs/OPERATIONS.md, "Backup,
restore, key rotation, stopping").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from monev.config import settings
from monev.ingest.pipeline import IngestResult, ingest_paths
from monev.transform import runner
from monev.warehouse import db


@dataclass
class Rebuilt:
    folder: Path
    results: list[IngestResult]
    transform: runner.TransformResult | None

    @property
    def ok(self) -> bool:
        return (all(r.ok for r in self.results) and self.transform is not None
                and self.transform.success)


def deliveries_dir() -> Path:
    return settings().archive_dir / "deliveries"


def rebuild(folder: Path | None = None,
            progress: Callable[[int, int], None] | None = None) -> Rebuilt:
    """Re-ingest the archived deliveries into an empty warehouse, then build the marts."""
    folder = Path(folder or deliveries_dir())
    if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*")):
        raise ValueError(f"no archived deliveries in {folder}: nothing to rebuild from")
    with db.connect() as conn:
        if not db.is_empty(conn):
            raise ValueError("the warehouse is not empty: rebuild into a new, empty warehouse"
                             " (docs/OPERATIONS.md)")
    results = ingest_paths([folder], progress=progress)
    if not any(r.status == "loaded" for r in results):
        return Rebuilt(folder, results, None)
    return Rebuilt(folder, results, runner.build())

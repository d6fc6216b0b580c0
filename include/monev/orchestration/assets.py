"""The Airflow Assets of the pipeline.

* `monev_raw_<source>` — one event per published batch of that source (emitted through
  the `monev_batches` alias by the ingest DAG's `load` task), with {"source", "periode"
  (YYYY-MM or null), "period_key", "batch_id", "file"} in `extra`.
* `monev_landed` — one event per burst of arrivals: emitted once the landing location
  has no file left waiting, with {"periods": [...], "batches": [...]} of every batch
  loaded since the previous one. `transform_warehouse` runs on it.
* `monev_marts` — one event per marts build whose tests passed, {"periods": [...]}.
  `monthly_reports` runs on it.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetAlias

# the light list of sources: the registry would import every parser, numpy and pyarrow
# into each DAG file's parse
from monev.catalog import LANDING_GROUPS


def source_asset(source: str) -> Asset:
    return Asset(name=f"monev_raw_{source}", uri=f"monev://warehouse/raw/{source}", group="monev")


SOURCE_ASSETS: dict[str, Asset] = {s: source_asset(s) for s in LANDING_GROUPS}
BATCHES = AssetAlias(name="monev_batches", group="monev")
LANDED = Asset(name="monev_landed", uri="monev://warehouse/raw", group="monev")
MARTS = Asset(name="monev_marts", uri="monev://warehouse/marts", group="monev")


def periods_from_events(triggering_asset_events: object) -> list[str]:
    """The months named in the asset events that triggered a run (deduplicated, sorted)."""
    found: set[str] = set()
    if not triggering_asset_events:
        return []
    for events in triggering_asset_events.values():  # type: ignore[attr-defined]
        for event in events:
            extra = getattr(event, "extra", None) or {}
            if extra.get("periode"):
                found.add(extra["periode"])
            found.update(extra.get("periods") or [])
    return sorted(found)

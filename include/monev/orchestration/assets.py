"""The Airflow Assets of the pipeline: one per source (emitted when a batch of it is
published) and one for the marts (emitted after a dbt build whose tests passed).

Asset-triggered runs have no logical date, so every event carries the period(s) it is
about in `extra`: {"source", "periode" (YYYY-MM or null), "period_key", "batch_id",
"file"} for a source, {"periods": [...]} for the marts.
"""

from __future__ import annotations

from airflow.sdk import Asset

from monev.orchestration.landing import SOURCES


def source_asset(source: str) -> Asset:
    return Asset(name=f"monev_raw_{source}", uri=f"monev://warehouse/raw/{source}", group="monev")


SOURCE_ASSETS: dict[str, Asset] = {s: source_asset(s) for s in SOURCES}
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

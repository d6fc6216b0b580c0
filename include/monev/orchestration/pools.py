"""Pools: `monev_heavy` (one slot) keeps two heavy loads or dbt builds from running at
once on a small machine; created by `monev run`/`monev airflow` locally and by
airflow-init in the compose stack."""

from __future__ import annotations

HEAVY = "monev_heavy"
POOLS = {HEAVY: (1, "one heavy load or dbt build at a time")}


def ensure_pools() -> None:
    from airflow.models.pool import Pool

    for name, (slots, description) in POOLS.items():
        Pool.create_or_update_pool(name, slots=slots, description=description,
                                   include_deferred=False)

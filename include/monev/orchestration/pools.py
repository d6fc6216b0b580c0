"""Pools, so that loads never wait behind a dbt build: `monev_load` (one file gated and
published at a time, in the order the ingest DAG lists them) and `monev_dbt` (one dbt
build at a time). Created by monev.localrun.prepare (`monev run`, `monev airflow`, the compose
stack's airflow-init)."""

from __future__ import annotations

LOAD = "monev_load"
DBT = "monev_dbt"
POOLS = {
    LOAD: (1, "gate + publish of landed files, one at a time, oldest period first"),
    DBT: (1, "one dbt build of the warehouse at a time"),
}


def ensure_pools() -> None:
    from airflow.models.pool import Pool

    for name, (slots, description) in POOLS.items():
        Pool.create_or_update_pool(name, slots=slots, description=description,
                                   include_deferred=False)

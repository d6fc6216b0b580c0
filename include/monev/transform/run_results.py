"""dbt's run results into the warehouse: one `audit.dbt_invocations` row per `dbt build`
or `dbt test`, one `audit.dbt_node_results` row per model, test and unit test, so data
engineers can query per-model timings and test outcomes of every run (the BI-readable
view is the `mart_dbt_run_results` model)."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RECORDED_COMMANDS = ("build", "test", "run")


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _name(unique_id: str) -> str:
    """The node's name: `test.monev.<name>.<hash>` for data tests, the last part else."""
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" and len(parts) > 3 else parts[-1]


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def rows(results: dict[str, Any]) -> tuple[tuple, list[tuple]]:
    """(invocation row, node rows) from a run_results.json document."""
    meta = results.get("metadata") or {}
    args = results.get("args") or {}
    elapsed = float(results.get("elapsed_time") or 0.0)
    finished = _iso(meta.get("generated_at")) or datetime.now(UTC)
    started = finished - timedelta(seconds=elapsed)
    nodes = []
    for r in results.get("results") or []:
        uid = r["unique_id"]
        adapter = r.get("adapter_response") or {}
        status = str(r.get("status"))
        nodes.append((
            meta["invocation_id"], uid, uid.split(".", 1)[0], _name(uid), status,
            float(r.get("execution_time") or 0.0), adapter.get("rows_affected"),
            r.get("failures"),
            # a message only when something went wrong: dbt's success text is noise
            (r.get("message") or None) if status not in ("success", "pass") else None,
        ))
    ok = all(n[4] in ("success", "pass", "warn", "skipped", "no-op") for n in nodes)
    invocation = (meta["invocation_id"], str(args.get("which") or "build"),
                  " ".join(str(s) for s in (args.get("select") or [])) or None,
                  started, finished, elapsed, ok, os.environ.get("AIRFLOW_CTX_DAG_RUN_ID"))
    return invocation, nodes


def record(path: Path, url: str, since: float) -> str | None:
    """Store `path` (run_results.json) if dbt wrote it after `since` (epoch seconds);
    returns the invocation id. Never fails the build: the audit is best effort."""
    if not path.exists() or path.stat().st_mtime < since:
        return None
    import psycopg

    try:
        invocation, nodes = rows(read(path))
        with psycopg.connect(url) as conn:
            conn.execute(
                "INSERT INTO audit.dbt_invocations (invocation_id, command, args, started_at,"
                " finished_at, elapsed_s, success, dag_run_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING", invocation)
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO audit.dbt_node_results (invocation_id, unique_id, resource_type,"
                    " name, status, execution_time_s, rows_affected, failures, message)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING", nodes)
            conn.commit()
    except (OSError, ValueError, KeyError, psycopg.Error) as exc:
        log.warning("dbt run results not recorded: %s", exc)
        return None
    log.info("dbt %s: %d node result(s) recorded (invocation %s)",
             invocation[1], len(nodes), invocation[0])
    return invocation[0]

"""The quality gate: run the source's GX suite against one staged batch, record the
outcome in audit.validation_*, and tell the pipeline whether it may publish.

The GX context is ephemeral and configured here in code; its datasource points at the
warehouse `conn` is connected to, and its table asset *is* this batch's staging table
(one asset per batch), so a backfill is validated on exactly what it would load.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from datetime import UTC, datetime
from functools import cache
from types import ModuleType
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from monev.config import settings
from monev.quality.context import gx_context
from monev.records import MAX_ROWS_CITED, GateOutcome, RuleFailure, StagedBatch
from monev.sources.registry import spec

log = logging.getLogger(__name__)

def suite_module(source: str) -> ModuleType:
    """The suite its spec names for `source`, from the expectations folder."""
    return _load(str(settings().expectations_dir / f"{spec(source).suite_name}.py"))


@cache
def _load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"monev_suite_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no quality suite at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sqlalchemy_url(conn: psycopg.Connection) -> str:
    """The URL GX's SQLAlchemy engine needs to reach the same database as `conn`."""
    from sqlalchemy.engine import URL

    info = conn.info
    return URL.create(
        "postgresql+psycopg",
        username=info.user,
        password=info.password or None,
        host=info.host,
        port=info.port,
        database=info.dbname,
    ).render_as_string(hide_password=False)


def run_gate(
    conn: psycopg.Connection, batch: StagedBatch, docs: bool | None = None
) -> GateOutcome:
    """Validate `batch.stage_table` with its source's suite; persist every rule's result.

    The staging table and the batch's audit.load_batches row must be committed (GX
    reads through its own connection), and analysed (the pipeline's stage step does).
    The results are committed on `conn` before returning, whatever the outcome, so a
    rejected batch keeps its evidence.

    `docs` (default: settings().gate_docs, on unless MONEV_GATE_DOCS is "0") adds this
    run's pages to the Data Docs site; the GX result is stored either way, so
    `build_data_docs()` can render everything later.
    """
    if docs is None:
        docs = settings().gate_docs
    import great_expectations as gx

    started = datetime.now(UTC)
    module = suite_module(batch.source)
    checks = module.checks(batch)
    suite_name = f"{batch.source.removeprefix('ref_')}"
    outcome = GateOutcome()
    results: list[dict[str, Any]] = []
    gx_run_id = None
    gx_result = None
    if checks:
        context = gx_context()
        schema, _, table = batch.stage_table.rpartition(".")
        source = context.data_sources.add_postgres(
            name="warehouse", connection_string=sqlalchemy_url(conn)
        )
        asset = source.add_table_asset(
            name=f"batch_{batch.batch_id}", table_name=table, schema_name=schema or None
        )
        batch_def = asset.add_batch_definition_whole_table(f"batch_{batch.batch_id}")
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=suite_name,
                expectations=[c.expectation() for c in checks],
                meta={"version": module.VERSION},
            )
        )
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=f"{suite_name}__batch_{batch.batch_id}", data=batch_def, suite=suite
            )
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"gate__batch_{batch.batch_id}",
                validation_definitions=[validation],
                result_format={"result_format": "COMPLETE"},
            )
        )
        run = checkpoint.run(batch_parameters={})
        result_id, gx_result = next(iter(run.run_results.items()))
        gx_run_id = str(run.run_id.run_name or run.run_id.run_time)
        for evr in gx_result.results:
            results.extend(_rule_results(evr, outcome, batch.file_name))
    finished = datetime.now(UTC)
    _persist(conn, batch, module.VERSION, suite_name, gx_run_id, results, outcome,
             started, finished)
    if docs and gx_result is not None:
        from monev.quality.docs import build_data_docs

        try:
            build_data_docs(context, [result_id])
        except Exception as exc:
            log.warning("data docs not built: %s", exc)
    return outcome


def _rule_results(evr: Any, outcome: GateOutcome, file_name: str) -> list[dict[str, Any]]:
    """One record per rule the expectation covers, passing or failing."""
    from monev.quality.rules import severity_of

    config = evr.expectation_config
    meta = config.meta or {}
    severity = severity_of(config.severity)
    rules: dict[str, str] = meta.get("rules", {})
    info = evr.exception_info or {}
    raised = [info] if "raised_exception" in info else list(info.values())
    broken_run = [e for e in raised if isinstance(e, dict) and e.get("raised_exception")]
    if broken_run:
        # A suite that cannot run must not let a batch through unchecked.
        message = str(broken_run[0].get("exception_message")).split("\n")[0][:300]
        failure = RuleFailure(
            rule=str(meta.get("check", "quality.check")),
            severity="error",
            message=f"{file_name}: quality check {meta.get('check')} could not run: {message}",
        )
        outcome.errors.append(failure)
        return [_record(failure, config.type, success=False)]
    rows = (evr.result or {}).get("details", {}).get("unexpected_rows", []) or []
    broken = {r["rule"]: r for r in rows}
    out = []
    for rule_id, description in rules.items():
        hit = broken.get(rule_id)
        if hit is None:
            out.append(_record(RuleFailure(rule_id, severity, description), config.type, True))
            continue
        count = int(hit["row_count"])
        cited = [int(r) for r in (hit["rows_cited"] or [])][:MAX_ROWS_CITED]
        observed = hit["observed"] if hit["observed"] is not None else {"failing_rows": count}
        shown = ", ".join(map(str, cited[:10])) + (" …" if count > 10 and cited else "")
        where = f"; data rows {shown}" if cited else ""
        failure = RuleFailure(
            rule=rule_id,
            severity=severity,
            message=f"{file_name}: {rule_id} broken ({description}): {count} failing{where}; "
            f"observed {json.dumps(observed, default=str)[:300]}",
            rows=cited,
            row_count=count,
            observed=observed,
        )
        (outcome.errors if severity == "error" else outcome.warnings).append(failure)
        out.append(_record(failure, config.type, False))
    return out


def _record(f: RuleFailure, expectation_type: str, success: bool) -> dict[str, Any]:
    return {"failure": f, "type": expectation_type, "success": success}


def _persist(
    conn: psycopg.Connection,
    batch: StagedBatch,
    version: str,
    suite_name: str,
    gx_run_id: str | None,
    results: list[dict[str, Any]],
    outcome: GateOutcome,
    started: datetime,
    finished: datetime,
) -> None:
    with conn.transaction():
        run_id = conn.execute(
            "INSERT INTO audit.validation_runs (batch_id, source, period_key, stage_table,"
            " suite_name, suite_version, gx_run_id, success, rules, errors, warnings,"
            " started_at, finished_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
            " RETURNING run_id",
            (batch.batch_id, batch.source, batch.period_key, batch.stage_table, suite_name,
             version, gx_run_id, outcome.passed, len(results), len(outcome.errors),
             len(outcome.warnings), started, finished),
        ).fetchone()[0]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit.validation_results (run_id, batch_id, rule, expectation_type,"
                " severity, success, observed, row_count, rows_cited, message, validated_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (run_id, rule) DO NOTHING",
                [
                    (run_id, batch.batch_id, r["failure"].rule, r["type"], r["failure"].severity,
                     r["success"],
                     None if r["success"] else Jsonb(r["failure"].observed),
                     r["failure"].row_count, r["failure"].rows, r["failure"].message, finished)
                    for r in results
                ],
            )
    if not conn.autocommit:
        conn.commit()

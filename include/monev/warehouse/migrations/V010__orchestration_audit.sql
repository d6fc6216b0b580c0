-- What the orchestrator needs to keep in the warehouse so data engineers can query it:
-- alerts (also when no SMTP is configured), which loaded files a transform has already
-- picked up, the completeness of each month, and dbt's per-node run results.

-- Every alert the pipeline raised, whether or not an email or webhook went out.
CREATE TABLE audit.alerts (
    alert_id    bigserial PRIMARY KEY,
    raised_at   timestamptz NOT NULL DEFAULT now(),
    kind        text        NOT NULL CHECK (kind IN ('failure', 'warning', 'late_extract')),
    subject     text        NOT NULL,
    body        text        NOT NULL,   -- rule ids and row counts, never a cell value
    dag_id      text,
    task_id     text,
    run_id      text,
    emailed     boolean     NOT NULL DEFAULT false,
    webhook     boolean     NOT NULL DEFAULT false
);
CREATE INDEX alerts_raised ON audit.alerts (raised_at);
COMMENT ON TABLE audit.alerts IS
  'Alerts raised by the pipeline (failed task, published with warnings, late extract) and whether email/webhook delivery succeeded.';
GRANT SELECT, INSERT ON audit.alerts TO monev_loader;
GRANT USAGE ON SEQUENCE audit.alerts_alert_id_seq TO monev_loader;
GRANT SELECT ON audit.alerts TO monev_transformer;

-- A loaded file is announced to the transform once, when the landing location has no
-- more files waiting: one transform per burst of arrivals.
ALTER TABLE audit.landing_files ADD COLUMN announced_at timestamptz;
CREATE INDEX landing_files_unannounced ON audit.landing_files (status) WHERE announced_at IS NULL;

-- dbt invocations and their per-node results (models, tests, unit tests), from dbt's
-- run results, one row per node per invocation.
CREATE TABLE audit.dbt_invocations (
    invocation_id text        PRIMARY KEY,
    command       text        NOT NULL,   -- e.g. 'build', 'test'
    args          text,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    elapsed_s     double precision,
    success       boolean     NOT NULL,
    error         text,
    dag_run_id    text                    -- the Airflow run that invoked it, if any
);
CREATE TABLE audit.dbt_node_results (
    invocation_id    text NOT NULL REFERENCES audit.dbt_invocations (invocation_id),
    unique_id        text NOT NULL,
    resource_type    text NOT NULL,
    name             text NOT NULL,
    status           text NOT NULL,
    execution_time_s double precision,
    rows_affected    bigint,
    failures         bigint,
    message          text,
    PRIMARY KEY (invocation_id, unique_id)
);
CREATE INDEX dbt_node_results_name ON audit.dbt_node_results (name, invocation_id);
COMMENT ON TABLE audit.dbt_invocations IS 'One row per dbt invocation (command, timing, outcome).';
COMMENT ON TABLE audit.dbt_node_results IS
  'Per dbt invocation, per node: status, execution time, rows affected, test failures, message.';
GRANT SELECT, INSERT, UPDATE ON audit.dbt_invocations, audit.dbt_node_results TO monev_loader;
GRANT SELECT ON audit.dbt_invocations, audit.dbt_node_results TO monev_transformer;

-- Completeness per month: which of the sources a monthly report needs have a loaded
-- delivery (anggaran: any version of the month's year), which are missing, and the
-- latest report revision built. monev.orchestration.completeness reads the same rule.
CREATE VIEW audit.month_completeness AS
WITH months AS (
    SELECT DISTINCT period_key AS periode FROM audit.load_batches
    WHERE status = 'loaded' AND period_key ~ '^\d{4}-\d{2}$'
), needed (source) AS (
    VALUES ('kepesertaan'), ('peserta_rentan'), ('realisasi'), ('anggaran')
), have AS (
    SELECT m.periode, n.source,
           EXISTS (
               SELECT 1 FROM audit.load_batches b
               WHERE b.status = 'loaded' AND b.source = n.source
                 AND (b.period_key = m.periode
                      OR (n.source = 'anggaran' AND left(b.period_key, 4) = left(m.periode, 4)))
           ) AS loaded
    FROM months m CROSS JOIN needed n
)
SELECT h.periode,
       coalesce(array_agg(h.source ORDER BY h.source) FILTER (WHERE h.loaded), '{}') AS loaded_sources,
       coalesce(array_agg(h.source ORDER BY h.source) FILTER (WHERE NOT h.loaded), '{}') AS missing_sources,
       bool_and(h.loaded) AS complete,
       (SELECT max(r.revision) FROM audit.report_runs r
        WHERE r.periode = to_date(h.periode, 'YYYY-MM') AND r.scope = 'NASIONAL'
          AND r.status IN ('built', 'sent')) AS report_revision
FROM have h
GROUP BY h.periode;
COMMENT ON VIEW audit.month_completeness IS
  'Per month: the sources a report needs that are loaded / missing, complete or not, latest national report revision.';
GRANT SELECT ON audit.month_completeness TO monev_loader, monev_transformer;

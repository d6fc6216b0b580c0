-- Quality gate history: one run per validated batch, one result per rule of its suite,
-- passing or not, so the monitoring views and the report's methodology section can
-- say which rules were applied to which file and what they found.
CREATE TABLE audit.validation_runs (
    run_id         bigserial   PRIMARY KEY,
    batch_id       bigint      NOT NULL REFERENCES audit.load_batches (batch_id),
    source         text        NOT NULL,
    period_key     text        NOT NULL,
    stage_table    text        NOT NULL,
    suite_name     text        NOT NULL,
    suite_version  text        NOT NULL,
    gx_run_id      text,
    success        boolean     NOT NULL,         -- false = at least one error-level rule failed
    rules          integer     NOT NULL,
    errors         integer     NOT NULL,
    warnings       integer     NOT NULL,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL
);
CREATE INDEX validation_runs_batch ON audit.validation_runs (batch_id);
CREATE INDEX validation_runs_source ON audit.validation_runs (source, period_key, started_at);
COMMENT ON TABLE audit.validation_runs IS
  'One Great Expectations run of a source suite against one staged batch.';

CREATE TABLE audit.validation_results (
    run_id           bigint      NOT NULL REFERENCES audit.validation_runs (run_id) ON DELETE CASCADE,
    batch_id         bigint      NOT NULL REFERENCES audit.load_batches (batch_id),
    rule             text        NOT NULL,   -- stable id, e.g. 'kepesertaan.tk_aktif_le_tk_terdaftar'
    expectation_type text        NOT NULL,
    severity         text        NOT NULL CHECK (severity IN ('error', 'warning')),
    success          boolean     NOT NULL,
    observed         jsonb,                  -- aggregate evidence; never personal values
    row_count        bigint      NOT NULL DEFAULT 0,   -- all failing rows (or regions)
    rows_cited       integer[]   NOT NULL DEFAULT '{}',  -- failing source_row numbers, capped
    message          text,
    validated_at     timestamptz NOT NULL,
    PRIMARY KEY (run_id, rule)
);
CREATE INDEX validation_results_batch ON audit.validation_results (batch_id);
CREATE INDEX validation_results_rule ON audit.validation_results (rule, validated_at);
COMMENT ON TABLE audit.validation_results IS
  'Per batch, per rule: severity, outcome, observed value, failing row numbers (capped) and total count.';

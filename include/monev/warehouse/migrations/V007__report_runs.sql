-- One row per report set (national or one province) built for a month: what was built,
-- from which mart snapshot, which files with which checksums, who received it.
-- A sent revision is never rebuilt in place: a reissue gets the next revision number.
CREATE TABLE audit.report_runs (
    run_id        bigserial PRIMARY KEY,
    periode       date        NOT NULL,   -- first day of the reported month
    scope         text        NOT NULL,   -- 'NASIONAL' or a two-digit province code
    revision      integer     NOT NULL DEFAULT 1,
    status        text        NOT NULL DEFAULT 'building'
                  CHECK (status IN ('building', 'built', 'sent', 'failed', 'skipped')),
    files         jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- [{name, path, sha256, bytes}]
    snapshot_path text,                   -- folder with the mart rows the report was built from
    recipients    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    message       text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    built_at      timestamptz,
    sent_at       timestamptz,
    finished_at   timestamptz,
    duration_ms   integer
);
CREATE INDEX report_runs_periode_scope ON audit.report_runs (periode, scope, revision);
CREATE UNIQUE INDEX report_runs_one_sent_per_revision
    ON audit.report_runs (periode, scope, revision) WHERE status = 'sent';
COMMENT ON TABLE audit.report_runs IS
  'Monthly Monev report sets: scope, revision, files with sha256, mart snapshot, recipients, status and timings.';
GRANT SELECT ON audit.report_runs TO monev_transformer;
GRANT SELECT, INSERT, UPDATE ON audit.report_runs TO monev_loader;
GRANT USAGE ON SEQUENCE audit.report_runs_run_id_seq TO monev_loader;

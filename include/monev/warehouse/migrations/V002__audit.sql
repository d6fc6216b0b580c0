-- One row per delivered file we were asked to ingest, whatever became of it.
CREATE TABLE audit.load_batches (
    batch_id      bigserial PRIMARY KEY,
    source        text        NOT NULL,  -- kepesertaan | peserta_rentan | anggaran | realisasi | ref_<name>
    period_key    text        NOT NULL,  -- '2024-03'; anggaran '2024/murni'; reference files 'all'
    file_name     text        NOT NULL,
    sha256        text        NOT NULL,
    bytes         bigint      NOT NULL,
    revision      integer     NOT NULL DEFAULT 0,
    rows          bigint,
    status        text        NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'loaded', 'rejected', 'superseded', 'duplicate', 'failed')),
    reasons       jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- [{rule, severity, message, rows:[..], row_count}]
    warnings      jsonb       NOT NULL DEFAULT '[]'::jsonb,
    kept_path     text,                  -- where a rejected file is kept, byte for byte
    superseded_by bigint REFERENCES audit.load_batches (batch_id),
    started_at    timestamptz NOT NULL DEFAULT now(),
    parsed_at     timestamptz,
    staged_at     timestamptz,
    validated_at  timestamptz,
    published_at  timestamptz,
    finished_at   timestamptz
);
CREATE INDEX load_batches_source_period ON audit.load_batches (source, period_key, status);
CREATE INDEX load_batches_sha ON audit.load_batches (source, sha256);
COMMENT ON TABLE audit.load_batches IS
  'Every delivered file the pipeline was asked to ingest: checksum, rows, revision, status and reasons.';

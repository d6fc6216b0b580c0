-- Files seen in the landing location and what the orchestrator did with them, so a
-- delivery is processed once however often the location is polled. A file replaced
-- under the same name (different size/mtime/etag) is a new row and is processed again.
CREATE TABLE audit.landing_files (
    landing_file_id bigserial PRIMARY KEY,
    location      text        NOT NULL,  -- landing URL without credentials
    relpath       text        NOT NULL,  -- e.g. kepesertaan_202403_rev1.csv, referensi/target_ucj.csv
    fingerprint   text        NOT NULL,  -- size + mtime or etag at detection
    source        text        NOT NULL,
    period_key    text        NOT NULL,
    revision      integer     NOT NULL DEFAULT 0,
    status        text        NOT NULL DEFAULT 'claimed'
                  CHECK (status IN ('claimed', 'loaded', 'rejected', 'superseded', 'duplicate', 'failed')),
    batch_id      bigint REFERENCES audit.load_batches (batch_id),
    run_id        text,                  -- the Airflow run that processed it
    detected_at   timestamptz NOT NULL DEFAULT now(),
    processed_at  timestamptz,
    UNIQUE (location, relpath, fingerprint)
);
COMMENT ON TABLE audit.landing_files IS
  'Landing-location files the orchestrator detected and processed (once each), with the resulting batch.';

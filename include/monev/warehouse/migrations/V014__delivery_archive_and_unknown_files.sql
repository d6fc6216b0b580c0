-- Accepted deliveries are archived byte for byte (MONEV_ARCHIVE_DIR/deliveries/<name>);
-- the batch records where. Its sha256 is the batch's own `sha256`.
ALTER TABLE audit.load_batches ADD COLUMN archived_path text;
COMMENT ON COLUMN audit.load_batches.archived_path IS
  'Where the published delivery is archived byte for byte (sha256 = this row''s sha256).';

-- Files whose name is not one of the extract contract: reported and kept (capped), but
-- no period's record. One row per name and content, however often they are seen, so a
-- folder of junk neither grows the audit without bound nor reaches a report.
CREATE TABLE audit.unknown_files (
    file_name   text        NOT NULL,  -- control characters escaped
    sha256      text        NOT NULL,
    bytes       bigint      NOT NULL,
    reason      text        NOT NULL,
    kept_path   text,                  -- capped copy under MONEV_REJECTED_DIR/unknown
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    times_seen  integer     NOT NULL DEFAULT 1,
    PRIMARY KEY (file_name, sha256)
);
COMMENT ON TABLE audit.unknown_files IS
  'Files of unknown name offered to the ingest: one row per name and sha256; never a load batch.';
GRANT SELECT ON audit.unknown_files TO monev_transformer;
GRANT SELECT, INSERT, UPDATE, DELETE ON audit.unknown_files TO monev_loader;

-- Unknown names were recorded as rejected batches of period 'unknown' before: move them.
INSERT INTO audit.unknown_files (file_name, sha256, bytes, reason, kept_path, first_seen,
                                 last_seen, times_seen)
SELECT file_name, sha256, max(bytes),
       coalesce(max(reasons -> 0 ->> 'message'), 'not a file name of the extract contract'),
       max(kept_path), min(started_at), max(started_at), count(*)
FROM audit.load_batches
WHERE source = 'unknown'
GROUP BY file_name, sha256;
DELETE FROM audit.load_batches WHERE source = 'unknown';

-- A delivery's name belongs to the bytes it first came with: other bytes under a name
-- already seen are a file replaced in place (a contract violation), looked up by name.
CREATE INDEX load_batches_file_name ON audit.load_batches (file_name, batch_id);

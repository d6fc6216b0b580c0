-- A dry run (`monev validate`, ingest with publish=False) stages and gates a file
-- without publishing it; its batch ends as 'validated' (or 'rejected').
ALTER TABLE audit.load_batches DROP CONSTRAINT IF EXISTS load_batches_status_check;
ALTER TABLE audit.load_batches ADD CONSTRAINT load_batches_status_check
  CHECK (status IN ('running', 'loaded', 'rejected', 'superseded', 'duplicate', 'failed',
                    'validated'));

-- The ingest run that announced a loaded file to the transform. `announce` commits its
-- stamp before Airflow records the asset event; if the task dies in between, its retry
-- (same run) announces the same files again instead of finding nothing new.
ALTER TABLE audit.landing_files ADD COLUMN announced_run text;

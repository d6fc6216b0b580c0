-- Every reference row is published by a batch, from a line of its file: the same NOT NULL
-- as the delivered sources' tables, so each raw table is what its spec creates
-- (ingest.stage.raw_table_sql; a new source's table is made from its spec, not here).
ALTER TABLE raw.wilayah_perubahan ALTER COLUMN batch_id SET NOT NULL,
                                  ALTER COLUMN source_row SET NOT NULL;
ALTER TABLE raw.wilayah_bps ALTER COLUMN batch_id SET NOT NULL,
                            ALTER COLUMN source_row SET NOT NULL;
ALTER TABLE raw.penduduk_bekerja ALTER COLUMN batch_id SET NOT NULL,
                                 ALTER COLUMN source_row SET NOT NULL;
ALTER TABLE raw.potensi_peserta ALTER COLUMN batch_id SET NOT NULL,
                                ALTER COLUMN source_row SET NOT NULL;
ALTER TABLE raw.target_ucj ALTER COLUMN batch_id SET NOT NULL,
                           ALTER COLUMN source_row SET NOT NULL;
ALTER TABLE raw.regulasi_daerah ALTER COLUMN batch_id SET NOT NULL,
                                ALTER COLUMN source_row SET NOT NULL;

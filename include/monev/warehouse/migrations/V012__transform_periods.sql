-- Which participant-list months (and which batch of each) every per-month incremental
-- dbt model holds, and when it last rebuilt each. Written by the model's own post-hook
-- (dbt_project/macros/periode_dibangun.sql) in the build's transaction. A model whose
-- month has no rows at all (a revision without any double funding left) still records
-- the month here, so the month is neither left stale nor re-read on every build; data
-- tests on the big tables read it to test only the months the latest build changed.
CREATE TABLE audit.transform_periode (
    model         text        NOT NULL,  -- dbt model name
    periode       date        NOT NULL,  -- first day of the month
    batch_id      bigint      NOT NULL,  -- the loaded batch the model was built from
    dibangun_pada timestamptz NOT NULL,  -- transaction time of the build that wrote the month
    PRIMARY KEY (model, periode)
);
COMMENT ON TABLE audit.transform_periode IS
  'Per-month incremental dbt models: the batch each month was built from and when.';
GRANT SELECT, INSERT, UPDATE, DELETE ON audit.transform_periode TO monev_transformer;

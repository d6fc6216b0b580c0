-- The source catalog in the warehouse: `monev.catalog` is the one list of sources; each
-- migrate run rewrites this table from it (warehouse.migrate), so SQL — the completeness
-- view, the data-health marts — reads the same list Python does instead of a copy.
CREATE TABLE audit.source_catalog (
    source    text PRIMARY KEY,
    period    text NOT NULL CHECK (period IN ('month', 'budget', 'referensi')),
    report    boolean NOT NULL,   -- a month's report needs it
    watched   boolean NOT NULL,   -- watched for late data by default
    load_rank integer NOT NULL    -- position in the load order
);
COMMENT ON TABLE audit.source_catalog IS
  'Every source (monev.catalog, rewritten at each migration): its period kind, whether the monthly report needs it, whether it is watched for late data, its load order.';
GRANT SELECT ON audit.source_catalog TO monev_loader, monev_transformer;

-- Completeness per month, the rule of monev.catalog.Source.covers: a month's delivery
-- covers its month, a budget every month of its year.
CREATE OR REPLACE VIEW audit.month_completeness AS
WITH months AS (
    SELECT DISTINCT period_key AS periode FROM audit.load_batches
    WHERE status = 'loaded' AND period_key ~ '^\d{4}-\d{2}$'
), needed AS (
    SELECT source, period FROM audit.source_catalog WHERE report
), have AS (
    SELECT m.periode, n.source,
           EXISTS (
               SELECT 1 FROM audit.load_batches b
               WHERE b.status = 'loaded' AND b.source = n.source
                 AND CASE n.period
                         WHEN 'budget' THEN left(b.period_key, 4) = left(m.periode, 4)
                         WHEN 'referensi' THEN true
                         ELSE b.period_key = m.periode
                     END
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

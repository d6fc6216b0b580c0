-- Which delivery covers which month, in SQL once: monev.catalog.Source.covers and
-- Source.up_to as functions (tests/dags/test_completeness_rule.py checks them equal to
-- the Python rule on a table of cases). The completeness view and the data-health marts
-- call them instead of each spelling the CASE out.
-- `period` is the source's kind (audit.source_catalog.period), `period_key` a delivery's
-- (audit.load_batches.period_key), `periode` a month 'YYYY-MM'. Plain SQL, IMMUTABLE:
-- the planner inlines them, so a join on them plans as the CASE did.

-- Does a delivery for `period_key` cover month `periode`? A month's delivery covers its
-- month; a budget ('YYYY/<versi>' or 'YYYY') every month of its year; a reference table
-- every month.
CREATE OR REPLACE FUNCTION audit.delivery_covers(period text, period_key text, periode text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE period
               WHEN 'referensi' THEN true
               WHEN 'budget' THEN left(period_key, 4) = left(periode, 4)
               ELSE period_key = periode
           END
$$;

-- Is a delivery for `period_key` of month `periode` or earlier (a run for a month
-- ignores later months' files; a budget of the month's year or before)?
CREATE OR REPLACE FUNCTION audit.delivery_up_to(period text, period_key text, periode text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE period
               WHEN 'referensi' THEN true
               WHEN 'budget' THEN left(period_key, 4) <= left(periode, 4)
               ELSE period_key <= periode
           END
$$;

GRANT EXECUTE ON FUNCTION audit.delivery_covers(text, text, text),
                          audit.delivery_up_to(text, text, text)
    TO monev_loader, monev_transformer;

-- Completeness per month (V016's view), the rule now the function's.
CREATE OR REPLACE VIEW audit.month_completeness AS
WITH months AS (
    SELECT DISTINCT period_key AS periode FROM audit.load_batches
    WHERE status = 'loaded' AND period_key ~ '^[0-9]{4}-[0-9]{2}$'
), needed AS (
    SELECT source, period FROM audit.source_catalog WHERE report
), have AS (
    SELECT m.periode, n.source,
           EXISTS (
               SELECT 1 FROM audit.load_batches b
               WHERE b.status = 'loaded' AND b.source = n.source
                 AND audit.delivery_covers(n.period, b.period_key, m.periode)
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

-- The quality gate's runs (audit.validation_runs), one per validated batch: the suite
-- applied and its outcome. Renamed run_id -> validation_run_id so it never reads as a
-- dbt or report run.
select
    run_id as validation_run_id,
    batch_id,
    lower(trim(source)) as source,
    period_key,
    suite_name,
    suite_version,
    success,
    rules,
    errors,
    warnings,
    started_at,
    finished_at
from {{ source('audit', 'validation_runs') }}

-- One row per gate run and rule (audit.validation_results), passing or not. The
-- failing row numbers are left out: their count (row_count) is what a dashboard needs.
select
    run_id as validation_run_id,
    batch_id,
    rule,
    expectation_type,
    lower(severity) as severity,
    success,
    observed,
    row_count,
    message,
    validated_at
from {{ source('audit', 'validation_results') }}

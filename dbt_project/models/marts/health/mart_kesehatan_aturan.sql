-- Data health for BI: the quality gate's result per batch and rule, passing rules
-- included, with the file it judged - which rules fail most, for which source, since when.
select
    r.validation_run_id,
    r.batch_id,
    b.source,
    b.period_key,
    b.periode,
    b.file_name,
    b.revision,
    b.status as status_muatan,
    v.suite_name,
    v.suite_version,
    r.rule,
    r.expectation_type,
    r.severity,
    r.success,
    r.row_count,
    r.observed,
    r.message,
    r.validated_at
from {{ ref('stg_audit__validation_results') }} as r
inner join {{ ref('stg_audit__validation_runs') }} as v
    on v.validation_run_id = r.validation_run_id
inner join {{ ref('stg_audit__load_batches') }} as b on b.batch_id = r.batch_id

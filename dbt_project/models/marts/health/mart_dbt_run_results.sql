-- Per-model timings and test results of every dbt run, for data engineers' dashboards.
-- A view: it reads the audit live, so the latest run shows as soon as it is recorded
-- (a table built inside the run could only show the runs before it).
{{ config(materialized='view', meta={'monev_rls': false}) }}

select
    r.invocation_id || '|' || r.unique_id as node_result_id,
    r.invocation_id,
    i.command,
    i.started_at as invocation_started_at,
    i.finished_at as invocation_finished_at,
    i.success as invocation_success,
    r.unique_id,
    r.resource_type,
    r.name,
    r.status,
    r.status in ('error', 'fail', 'runtime error') as is_failure,
    r.execution_time_s,
    r.rows_affected,
    r.failures,
    r.message
from {{ source('audit_dbt', 'dbt_node_results') }} as r
inner join {{ source('audit_dbt', 'dbt_invocations') }} as i
    on i.invocation_id = r.invocation_id

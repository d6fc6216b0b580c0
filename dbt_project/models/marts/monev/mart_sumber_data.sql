-- The delivered files behind the marts, so reports can cite their sources without
-- reading audit: every batch that was published (loaded) or has since been replaced
-- by a higher revision (superseded). Rejected and failed files never fed a mart.
select
    b.batch_id,
    b.source,
    b.period_key,
    case
        when b.period_key ~ '^\d{4}-\d{2}$' then to_date(b.period_key, 'YYYY-MM')
    end as periode,
    case
        when b.period_key ~ '^\d{4}' then left(b.period_key, 4)::int
    end as tahun,
    b.file_name,
    b.revision,
    b.sha256,
    b.rows,
    b.status,
    b.superseded_by,
    b.warnings,
    coalesce(jsonb_array_length(b.warnings), 0) as jumlah_peringatan,
    coalesce(b.published_at, b.finished_at) as loaded_at
from {{ ref('stg_audit__load_batches') }} as b
where b.status in ('loaded', 'superseded')

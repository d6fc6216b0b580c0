-- The delivered files behind the marts, so reports can cite their sources without
-- reading audit: every delivery of a source and period that was published (loaded),
-- replaced by a higher revision after it was in force (superseded), arrived as a lower
-- revision after a higher one (stale: never published), or was refused (rejected,
-- failed: with the reasons). Dry runs (validated), re-sent identical files (duplicate)
-- and loads still running are not deliveries of their own.
select
    b.batch_id,
    b.source,
    b.period_key,
    b.periode,
    b.tahun,
    b.file_name,
    b.revision,
    b.sha256,
    b.rows,
    b.status,
    b.status = 'loaded' as berlaku,
    b.superseded_by,
    b.warnings,
    coalesce(jsonb_array_length(b.warnings), 0) as jumlah_peringatan,
    case when b.status in ('rejected', 'failed') then b.reasons end as alasan,
    case
        when b.status in ('rejected', 'failed') then coalesce(jsonb_array_length(b.reasons), 0)
        else 0
    end as jumlah_galat,
    coalesce(b.published_at, b.finished_at) as loaded_at
from {{ ref('stg_audit__load_batches') }} as b
where b.status in ('loaded', 'superseded', 'stale', 'rejected', 'failed')

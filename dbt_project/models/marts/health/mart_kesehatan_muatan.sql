-- Data health for BI: one row per delivered file, whatever became of it, with its load
-- status, the first reason it was rejected and its latest quality-gate run. What an
-- operator's dashboard asks first: which files came in, which were turned away, why.
with gate as (
    select distinct on (batch_id)
        batch_id,
        validation_run_id,
        suite_version,
        success,
        rules,
        errors,
        warnings
    from {{ ref('stg_audit__validation_runs') }}
    order by batch_id, started_at desc, validation_run_id desc
)

select
    b.batch_id,
    b.source,
    b.period_key,
    b.periode,
    b.file_name,
    b.revision,
    b.status,
    b.rows,
    g.batch_id is not null as gate_dijalankan,
    g.validation_run_id as gate_run_id,
    g.suite_version as gate_versi_suite,
    g.success as gate_sukses,
    g.rules as gate_aturan,
    g.errors as gate_galat,
    g.warnings as gate_peringatan,
    b.reasons -> 0 ->> 'rule' as alasan_utama,
    coalesce(jsonb_array_length(b.reasons), 0) as jumlah_alasan,
    b.started_at as mulai_pada,
    b.finished_at as selesai_pada,
    round(extract(epoch from b.finished_at - b.started_at)::numeric, 3) as durasi_detik
from {{ ref('stg_audit__load_batches') }} as b
left join gate as g on g.batch_id = b.batch_id

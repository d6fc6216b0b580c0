{{ config(
    materialized='incremental',
    incremental_strategy='monev_periode',
    meta={'monev_sumber': 'peserta_rentan'},
    on_schema_change='sync_all_columns',
    post_hook="{{ monev_catat_periode_dibangun() }}",
) }}
-- depends_on: {{ ref('stg_audit__load_batches') }}
-- The participant list condensed per (billing month, payer): rows and billed amount.
-- Incremental by month: only a newly published month or revision is re-read from the
-- (5-10 million rows a month) list; the marts read this small table.
select
    periode,
    sumber_iuran,
    nullif(trim(kode_pemda_pembayar), '') as kode_pemda_pembayar,
    count(*)::bigint as jumlah_baris,
    sum(iuran_rp)::numeric as iuran_rp,
    max(batch_id) as batch_id
from {{ ref('stg_bpjs__peserta_rentan') }}
{{ monev_filter_periode_berubah() }}
group by 1, 2, 3

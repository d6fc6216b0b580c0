{{ config(
    materialized='incremental',
    incremental_strategy='monev_periode',
    meta={'monev_sumber': 'peserta_rentan'},
    post_hook="{{ monev_catat_periode_dibangun() }}",
) }}
-- depends_on: {{ ref('stg_audit__load_batches') }}
-- Double-funded participants: one row per (periode, peserta_id) billed by more than
-- one payer. peserta_id is the keyed pseudonym; no clear personal data reaches here.
-- Incremental by month like its source (macros/incremental/monev_filter_periode_berubah.sql).
select
    g.periode,
    g.peserta_id,
    g.kode_wilayah_domisili,
    w.nama as nama_wilayah_domisili,
    g.kode_provinsi,
    g.jumlah_pembayar,
    g.jumlah_pembayaran,
    g.pembayar,
    g.sumber_iuran_pertama,
    g.kode_pemda_pembayar_pertama,
    g.tanggal_mulai_pertama,
    g.iuran_total_rp,
    g.iuran_ganda_rp
from {{ ref('int_monev__nik_ganda_peserta') }} as g
left join {{ ref('stg_referensi__wilayah') }} as w on w.kode = g.kode_wilayah_domisili
{{ monev_filter_periode_berubah('g.periode') }}

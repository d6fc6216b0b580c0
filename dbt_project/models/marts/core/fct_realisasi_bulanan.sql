{{ config(
    materialized='incremental',
    incremental_strategy='monev_periode',
    meta={'monev_sumber': 'realisasi'},
    post_hook="{{ monev_catat_periode_dibangun() }}",
    indexes=[{'columns': ['periode']}, {'columns': ['kode_provinsi', 'periode']}],
) }}
-- depends_on: {{ ref('stg_audit__load_batches') }}
-- Grain of the realisasi extract: (tahun, bulan, kode_pemda, kode_sub_kegiatan,
-- kode_rekening, sasaran); cumulative from January. Incremental by period.
with dipilih as (
    select * from {{ ref('stg_sipd__realisasi') }}
    {{ monev_filter_periode_berubah() }}
)

select
    {{ monev_key(['d.tahun', 'd.bulan', 'd.kode_pemda', 'd.kode_sub_kegiatan', 'd.kode_rekening', 'd.sasaran']) }}
        as realisasi_key,
    d.periode,
    cast(to_char(d.periode, 'YYYYMM') as integer) as waktu_key,
    d.tahun,
    d.bulan,
    d.kode_pemda as kode_pemda_asal,
    k.kode_wilayah as kode_pemda,
    k.kode_provinsi,
    k.tingkat as tingkat_pemda,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    d.kode_sub_kegiatan,
    d.kode_rekening,
    {{ monev_key(['d.kode_rekening']) }} as rekening_key,
    d.sasaran,
    d.realisasi_kumulatif_rp,
    d.peserta_dibayar,
    d.batch_id,
    d.source_row
from dipilih as d
{{ monev_kode_terkini('d.kode_pemda', alias='k') }}

{{ config(
    materialized='incremental',
    incremental_strategy='monev_periode',
    meta={'monev_sumber': 'anggaran', 'monev_per': 'tahun'},
    post_hook="{{ monev_catat_periode_dibangun() }}",
    indexes=[{'columns': ['tahun', 'kode_pemda']}, {'columns': ['kode_provinsi', 'tahun']}],
) }}
-- depends_on: {{ ref('stg_audit__load_batches') }}
-- Grain of the anggaran extract: (tahun, versi, kode_pemda, kode_sub_kegiatan,
-- kode_rekening, sasaran). Every version is kept; is_versi_terakhir marks, per pemda and
-- year, the lines of its latest version in the warehouse (perubahan > pergeseran >
-- murni) - the lines the indicators use. Incremental by year: a new version of a year
-- rebuilds that year (the latest-version flag of its other versions changes too).
with dipilih as (
    select * from {{ ref('stg_sipd__anggaran') }}
    {{ monev_filter_periode_berubah() }}
),

versi as (
    select versi, urutan from {{ ref('dim_versi_anggaran') }}
),

berurut as (
    select
        d.*,
        v.urutan as urutan_versi,
        max(v.urutan) over (partition by d.tahun, d.kode_pemda) as urutan_versi_terakhir
    from dipilih as d
    left join versi as v on v.versi = d.versi
)

select
    {{ monev_key(['b.tahun', 'b.versi', 'b.kode_pemda', 'b.kode_sub_kegiatan', 'b.kode_rekening', 'b.sasaran']) }}
        as anggaran_key,
    b.tahun,
    b.versi,
    {{ monev_key(['b.versi']) }} as versi_anggaran_key,
    b.urutan_versi,
    (b.urutan_versi = b.urutan_versi_terakhir) as is_versi_terakhir,
    b.kode_pemda as kode_pemda_asal,
    k.kode_wilayah as kode_pemda,
    k.kode_provinsi,
    k.tingkat as tingkat_pemda,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    b.nama_pemda,
    b.kode_skpd,
    b.nama_skpd,
    b.kode_sub_kegiatan,
    b.nama_sub_kegiatan,
    b.kode_rekening,
    {{ monev_key(['b.kode_rekening']) }} as rekening_key,
    b.uraian_rekening,
    b.sasaran,
    b.target_peserta,
    b.pagu_rp,
    b.batch_id,
    b.source_row
from berurut as b
{{ monev_kode_terkini('b.kode_pemda', alias='k') }}

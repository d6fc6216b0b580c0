{{ config(
    materialized='incremental',
    incremental_strategy='monev_periode',
    meta={'monev_sumber': 'kepesertaan'},
    post_hook="{{ monev_catat_periode_dibangun() }}",
    indexes=[
        {'columns': ['periode']},
        {'columns': ['kode_provinsi', 'periode']},
        {'columns': ['kode_wilayah', 'periode']},
    ],
) }}
-- depends_on: {{ ref('stg_audit__load_batches') }}
-- Grain of the kepesertaan extract: (periode, kode_wilayah as delivered, segmen,
-- kategori_pekerja, sumber_iuran). Incremental by period: only periods whose published
-- batch changed since the last build are rebuilt (macros/incremental/monev_terbit_sql.sql).
with dipilih as (
    select * from {{ ref('stg_bpjs__kepesertaan') }}
    {{ monev_filter_periode_berubah() }}
)

select
    {{ monev_key(['d.periode', 'd.kode_wilayah', 'd.segmen', 'd.kategori_pekerja', 'd.sumber_iuran']) }}
        as kepesertaan_key,
    d.periode,
    cast(to_char(d.periode, 'YYYYMM') as integer) as waktu_key,
    d.kode_wilayah as kode_wilayah_asal,
    terkini.kode_wilayah,
    terkini.kode_provinsi,
    {{ monev_key(['terkini.kode_wilayah']) }} as wilayah_key,
    d.segmen,
    {{ monev_key(['d.segmen']) }} as segmen_key,
    d.kategori_pekerja,
    {{ monev_key(['d.kategori_pekerja']) }} as kategori_pekerja_key,
    d.sumber_iuran,
    {{ monev_key(['d.sumber_iuran']) }} as sumber_iuran_key,
    d.tk_terdaftar,
    d.tk_aktif,
    d.tk_baru,
    d.tk_keluar,
    d.jumlah_proyek,
    d.iuran_rp,
    d.batch_id,
    d.source_row
from dipilih as d
-- a code missing from the map stays visible (kode_wilayah NULL fails a test)
{{ monev_kode_terkini('d.kode_wilayah') }}

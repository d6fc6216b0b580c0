{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    indexes=[
        {'columns': ['periode']},
        {'columns': ['kode_provinsi', 'periode']},
        {'columns': ['kode_wilayah', 'periode']},
    ],
) }}
-- Grain of the kepesertaan extract: (periode, kode_wilayah as delivered, segmen,
-- kategori_pekerja, sumber_iuran). Incremental by period: only periods whose published
-- batch changed since the last build are rebuilt (macros/incremental/monev_where_changed.sql).
with dipilih as (
    select * from {{ ref('stg_bpjs__kepesertaan') }}
    {{ monev_where_changed(ref('stg_bpjs__kepesertaan'), 'periode') }}
)

select
    {{ monev_key(['d.periode', 'd.kode_wilayah', 'd.segmen', 'd.kategori_pekerja', 'd.sumber_iuran']) }}
        as kepesertaan_key,
    d.periode,
    cast(to_char(d.periode, 'YYYYMM') as integer) as waktu_key,
    d.kode_wilayah as kode_wilayah_asal,
    k.kode_wilayah,
    k.kode_provinsi,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
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
-- left join: a code missing from the map stays visible (kode_wilayah NULL fails a test)
left join {{ ref('int_wilayah__kode_terkini') }} as k on k.kode_asal = d.kode_wilayah

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='periode',
    on_schema_change='sync_all_columns',
    indexes=[
        {'columns': ['periode', 'peserta_id']},
        {'columns': ['kode_provinsi', 'periode']},
    ],
) }}
-- Grain of the peserta_rentan extract: (periode, peserta_id, sumber_iuran,
-- kode_pemda_pembayar). Pseudonymised - no NIK, name or birth date ever reaches the
-- warehouse; readable by monev_analyst only (not the BI role).
with dipilih as (
    select * from {{ ref('stg_bpjs__peserta_rentan') }}
    {{ monev_where_changed(ref('stg_bpjs__peserta_rentan'), 'periode') }}
)

select
    {{ monev_key(['d.periode', 'd.peserta_id', 'd.sumber_iuran', 'd.kode_pemda_pembayar']) }}
        as peserta_rentan_key,
    d.periode,
    cast(to_char(d.periode, 'YYYYMM') as integer) as waktu_key,
    d.peserta_id,
    d.jenis_kelamin,
    d.tahun_lahir,
    d.kode_wilayah_domisili as kode_wilayah_domisili_asal,
    k.kode_wilayah as kode_wilayah_domisili,
    k.kode_provinsi,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    d.sumber_iuran,
    {{ monev_key(['d.sumber_iuran']) }} as sumber_iuran_key,
    d.kode_pemda_pembayar,
    coalesce(kp.kode_wilayah, d.kode_pemda_pembayar) as kode_pemda_pembayar_terkini,
    d.program,
    {{ monev_key(['d.program']) }} as program_key,
    d.tanggal_mulai,
    d.status,
    d.iuran_rp,
    d.nik_valid,
    d.nik_tanggal_cocok,
    d.nik_kelamin_cocok,
    d.nik_kode_wilayah,
    d.batch_id,
    d.source_row
from dipilih as d
left join {{ ref('int_wilayah__kode_terkini') }} as k on k.kode_asal = d.kode_wilayah_domisili
left join {{ ref('int_wilayah__kode_terkini') }} as kp on kp.kode_asal = d.kode_pemda_pembayar

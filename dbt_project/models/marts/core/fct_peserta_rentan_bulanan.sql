{{ config(
    materialized='view',
    post_hook="alter view {{ this }} set (security_barrier = true)",
) }}
-- Grain of the peserta_rentan extract: (periode, peserta_id, sumber_iuran,
-- kode_pemda_pembayar). Pseudonymised - no NIK, name or birth date ever reaches the
-- warehouse; readable by monev_analyst only (not the BI role).
-- A view over the month partitions of raw.peserta_rentan, not a second copy: a copy
-- with text keys cost 2.3x the raw month (10 GB for 24 M rows) and most of a new
-- month's build time, and grew with every month. A filter on periode still prunes to
-- the month's partition; keys are computed only when a query selects them.
-- Row-level security: a view cannot carry a policy, so the province rule of the marts
-- (macros/access/monev_baris_terlihat.sql) is part of the view (security_barrier keeps a user's own
-- functions from seeing rows before it); the view's owner - dbt, which tests it - sees
-- every row, as a table's owner does.
with kode as not materialized (
    -- grouped by kode_asal (unique already): PostgreSQL then knows each row meets at
    -- most one code - it estimates the joins right (hash joins on the month, not sorts)
    -- and drops the payer join when a query does not select its column
    select kode_asal, min(kode_wilayah) as kode_wilayah, min(kode_provinsi) as kode_provinsi,
        min(tingkat) as tingkat
    from {{ ref('int_wilayah__kode_terkini') }}
    group by kode_asal
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
    kp.kode_wilayah as kode_pemda_pembayar_terkini,
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
from {{ ref('stg_bpjs__peserta_rentan') }} as d
{{ monev_kode_terkini('d.kode_wilayah_domisili', alias='k', peta='kode') }}
-- a village paying APBDes is no region: its code is kept as delivered
{{ monev_kode_terkini('d.kode_pemda_pembayar', alias='kp', peta='kode', bila_tak_dikenal='kode_dikirim') }}
where {{ monev_baris_terlihat('k.kode_provinsi') }}
    or (select pg_has_role(current_user, c.relowner, 'MEMBER')
        from pg_class as c where c.oid = to_regclass('{{ this.schema }}.{{ this.identifier }}'))

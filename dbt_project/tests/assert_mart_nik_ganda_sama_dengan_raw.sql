-- Reconciliation: the double-funded participants of each month are exactly those of
-- the raw participant list with more than one (sumber_iuran, kode_pemda_pembayar), and
-- the national nik_ganda counts them. Reads the months the latest build of
-- mart_nik_ganda changed (every month under `monev transform --full-tests`).
{%- set bulan = monev_periode_dibangun_terakhir('mart_nik_ganda') or 'true' %}
with baris as not materialized (
    select periode, peserta_id, sumber_iuran, kode_pemda_pembayar
    from {{ source('bpjs', 'peserta_rentan') }}
    where {{ bulan }}
),

-- only participants with more than one row can have two payers; found by an 8-byte
-- hash of the id so the month's aggregate fits in memory (equal ids, equal hashes)
kandidat as (
    select periode, hashtextextended(peserta_id, 0) as h
    from baris
    group by 1, 2
    having count(*) > 1
),

raw as (
    select b.periode, b.peserta_id
    from baris as b
    inner join kandidat as k on k.periode = b.periode and k.h = hashtextextended(b.peserta_id, 0)
    group by b.periode, b.peserta_id
    having count(distinct (b.sumber_iuran, coalesce(nullif(trim(b.kode_pemda_pembayar), ''), ''))) > 1
),

mart as (
    select periode, peserta_id from {{ ref('mart_nik_ganda') }}
    where {{ bulan }}
),

selisih as (
    (select * from raw except select * from mart)
    union all
    (select * from mart except select * from raw)
),

nasional as (
    select n.periode
    from {{ ref('mart_monev_wilayah_bulanan') }} as n
    left join (select periode, count(*) as n from mart group by periode) as c on c.periode = n.periode
    where n.kode_wilayah = '00'
        and {{ bulan | replace('periode', 'n.periode') }}
        and n.nik_ganda is not null
        and n.nik_ganda <> coalesce(c.n, 0)
)

select periode, peserta_id from selisih
union all
select periode, null from nasional

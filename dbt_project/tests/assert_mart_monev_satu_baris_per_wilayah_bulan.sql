-- Grain: exactly one row per (periode, kode_wilayah), and every month with coverage
-- data has every region of the reference plus the nation.
with m as (
    select periode, kode_wilayah from {{ ref('mart_monev_wilayah_bulanan') }}
),

ganda as (
    select periode, kode_wilayah, 'duplicate' as masalah
    from m group by 1, 2 having count(*) > 1
),

harapan as (
    select p.periode, w.kode as kode_wilayah
    from (select distinct periode from {{ source('bpjs', 'kepesertaan') }}) as p
    cross join (select kode from {{ source('referensi', 'wilayah') }} union all select '00') as w
)

select periode, kode_wilayah, masalah from ganda
union all
select h.periode, h.kode_wilayah, 'missing'
from harapan as h
left join m on m.periode = h.periode and m.kode_wilayah = h.kode_wilayah
where m.periode is null

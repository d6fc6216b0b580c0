-- Coverage targets per (tahun, region, sumber_target). A target belongs to the region
-- it was delivered for: no fallback to the province's or an earlier year's target.
-- An old kab/kota code is read as its replacement; if both were delivered for the
-- same year, the row under the current code wins.
with target as (
    select
        t.tahun,
        coalesce(m.kode_wilayah, t.kode_wilayah) as kode_wilayah,
        upper(t.sumber_target) as sumber_target,
        t.target_persen::numeric as target_persen,
        (m.kode_asal is null or m.kode_asal = m.kode_wilayah) as kode_terkini
    from {{ ref('stg_referensi__target_ucj') }} as t
    left join {{ ref('int_wilayah__kode_terkini') }} as m on m.kode_asal = t.kode_wilayah
)

select distinct on (tahun, kode_wilayah, sumber_target)
    tahun,
    kode_wilayah,
    sumber_target,
    target_persen
from target
order by tahun, kode_wilayah, sumber_target, kode_terkini desc

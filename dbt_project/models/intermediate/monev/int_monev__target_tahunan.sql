-- Coverage targets per (tahun, region, sumber_target). A target belongs to the region
-- it was delivered for: no fallback to the province's or an earlier year's target.
-- An old kab/kota code is read as its replacement (the star's fct_target maps it); if
-- both were delivered for the same year, the row under the current code wins.
with target as (
    select
        t.tahun,
        t.kode_wilayah,
        t.sumber_target,
        t.target_persen::numeric as target_persen,
        (t.kode_wilayah is null or t.kode_wilayah_asal = t.kode_wilayah) as kode_terkini
    from {{ ref('fct_target') }} as t
)

select distinct on (tahun, kode_wilayah, sumber_target)
    tahun,
    kode_wilayah,
    sumber_target,
    target_persen
from target
order by tahun, kode_wilayah, sumber_target, kode_terkini desc

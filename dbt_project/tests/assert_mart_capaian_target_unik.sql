-- Grain of mart_capaian_target: one row per (periode, kode_wilayah, sumber_target).
select periode, kode_wilayah, sumber_target
from {{ ref('mart_capaian_target') }}
group by 1, 2, 3
having count(*) > 1

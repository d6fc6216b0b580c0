-- Coverage targets as delivered: one row per (tahun, kode_wilayah, sumber_target).
-- No fallback to another region's or year's target (DOMAIN.md).
select
    {{ monev_key(['t.tahun', 't.kode_wilayah', 't.sumber_target']) }} as target_key,
    t.tahun,
    t.kode_wilayah as kode_wilayah_asal,
    k.kode_wilayah,
    k.kode_provinsi,
    k.tingkat,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    t.sumber_target,
    t.target_persen,
    t.batch_id,
    t.source_row
from {{ ref('stg_referensi__target_ucj') }} as t
{{ monev_kode_terkini('t.kode_wilayah', alias='k') }}

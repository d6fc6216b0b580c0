-- A toy monthly count per (periode, kode_wilayah). Staging: rename, type and canonicalise only.
select
    periode,
    trim(kode_wilayah) as kode_wilayah,
    nilai,
    batch_id,
    source_row
from {{ source('toy', 'toy') }}

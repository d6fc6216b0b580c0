-- Coverage targets per year, region and target series.
-- Staging: rename, type and canonicalise only; no joins.
select
    tahun,
    trim(kode_wilayah) as kode_wilayah,
    upper(trim(sumber_target)) as sumber_target,
    target_persen,
    batch_id,
    source_row
from {{ source('referensi', 'target_ucj') }}

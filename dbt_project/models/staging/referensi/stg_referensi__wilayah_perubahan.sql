-- Region code changes (e.g. the 2022 Papua split).
-- Staging: rename, type and canonicalise only; no joins.
select
    trim(kode_lama) as kode_lama,
    trim(kode_baru) as kode_baru,
    berlaku_mulai,
    dasar_hukum,
    batch_id,
    source_row
from {{ source('referensi', 'wilayah_perubahan') }}

-- Employed population (BPS Sakernas, August round).
-- Staging: rename, type and canonicalise only; no joins.
select
    tahun,
    trim(kode_wilayah) as kode_wilayah,
    penduduk_bekerja,
    sumber,
    upper(skema_kode) as skema_kode,
    batch_id,
    source_row
from {{ source('referensi', 'penduduk_bekerja') }}

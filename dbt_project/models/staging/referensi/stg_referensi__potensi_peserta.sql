-- BPJS eligible-worker estimate per year and region.
-- Staging: rename, type and canonicalise only; no joins.
select
    tahun,
    trim(kode_wilayah) as kode_wilayah,
    potensi_pu,
    potensi_bpu,
    potensi_jakon,
    sumber,
    upper(skema_kode) as skema_kode,
    batch_id,
    source_row
from {{ source('referensi', 'potensi_peserta') }}

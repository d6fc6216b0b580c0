-- Regional legal instruments on Jamsostek.
-- Staging: rename, type and canonicalise only; no joins.
select
    trim(kode_pemda) as kode_pemda,
    upper(trim(jenis)) as jenis,
    nomor,
    tahun,
    tanggal_penetapan,
    judul,
    batch_id,
    source_row
from {{ source('referensi', 'regulasi_daerah') }}

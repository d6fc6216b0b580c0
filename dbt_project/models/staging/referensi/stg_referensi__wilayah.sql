-- Current region reference: 38 provinces and 514 kabupaten/kota.
-- Staging: rename, type and canonicalise only; no joins.
select
    trim(kode) as kode,
    kode_tanpa_titik,
    nama,
    upper(trim(tingkat)) as tingkat,
    trim(kode_provinsi) as kode_provinsi
from {{ source('referensi', 'wilayah') }}

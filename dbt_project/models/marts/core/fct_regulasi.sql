-- One row per regional legal instrument on Jamsostek (regulasi_daerah reference).
-- dihitung: the instrument types that count for regulasi_ada (DOMAIN.md); SE and PKS
-- are listed but do not count.
select
    {{ monev_key(['r.kode_pemda', 'r.jenis', 'r.nomor', 'r.tahun', 'r.tanggal_penetapan']) }}
        as regulasi_key,
    r.kode_pemda as kode_pemda_asal,
    k.kode_wilayah as kode_pemda,
    k.kode_provinsi,
    k.tingkat as tingkat_pemda,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    r.jenis,
    r.nomor,
    r.tahun,
    r.tanggal_penetapan,
    r.judul,
    r.jenis in ('PERDA', 'PERGUB', 'PERBUP', 'PERWALI', 'KEPKADA') as dihitung,
    r.batch_id,
    r.source_row
from {{ ref('stg_referensi__regulasi_daerah') }} as r
{{ monev_kode_terkini('r.kode_pemda', alias='k') }}

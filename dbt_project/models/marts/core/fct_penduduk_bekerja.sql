-- Employed population (BPS Sakernas, August round) as delivered, per year and region,
-- with the current Kemendagri region it belongs to (BPS-coded rows translated, old codes mapped). '00' is
-- the nation (kode_provinsi NULL). The year rule of DOMAIN.md is applied in the marts.
select
    {{ monev_key(['p.tahun', 'p.kode_wilayah_dikirim', 'p.skema_kode']) }} as penduduk_bekerja_key,
    p.tahun,
    p.kode_wilayah_dikirim as kode_wilayah_asal,
    p.skema_kode,
    k.kode_wilayah,
    k.kode_provinsi,
    k.tingkat,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    p.penduduk_bekerja,
    p.sumber,
    p.batch_id,
    p.source_row
from {{ ref('int_wilayah__penduduk_bekerja') }} as p
{{ monev_kode_terkini('p.kode_wilayah', alias='k') }}

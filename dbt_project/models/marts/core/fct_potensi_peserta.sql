-- BPJS eligible-worker estimate ("potensi") as delivered, per year and region, with the
-- current Kemendagri region (BPS-coded rows translated, old codes mapped); '00' is the nation.
select
    {{ monev_key(['p.tahun', 'p.kode_wilayah_dikirim', 'p.skema_kode']) }} as potensi_peserta_key,
    p.tahun,
    p.kode_wilayah_dikirim as kode_wilayah_asal,
    p.skema_kode,
    k.kode_wilayah,
    k.kode_provinsi,
    k.tingkat,
    {{ monev_key(['k.kode_wilayah']) }} as wilayah_key,
    p.potensi_pu,
    p.potensi_bpu,
    p.potensi_jakon,
    p.potensi_pu + p.potensi_bpu + p.potensi_jakon as potensi_total,
    p.sumber,
    p.batch_id,
    p.source_row
from {{ ref('int_wilayah__potensi_peserta') }} as p
{{ monev_kode_terkini('p.kode_wilayah', alias='k') }}

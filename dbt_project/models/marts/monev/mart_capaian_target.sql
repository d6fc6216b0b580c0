-- Coverage against every target series delivered: one row per (periode, kode_wilayah,
-- sumber_target) where a target was delivered for the region itself and year(M).
select
    m.periode,
    m.tingkat,
    m.kode_wilayah,
    m.nama_wilayah,
    m.kode_provinsi,
    t.sumber_target,
    m.cakupan_persen,
    -- the denominator behind cakupan_persen and the year it was taken from (DOMAIN.md's
    -- year rule), so every percentage here says what it was computed on
    m.penduduk_bekerja,
    m.tahun_penduduk_bekerja,
    trim_scale(t.target_persen) as target_persen,
    trim_scale(100.0 * m.cakupan_persen / nullif(t.target_persen, 0)) as capaian_target_persen,
    trim_scale(t.target_persen - m.cakupan_persen) as gap_pp
from {{ ref('mart_monev_wilayah_bulanan') }} as m
inner join {{ ref('int_monev__target_tahunan') }} as t
    on t.tahun = extract(year from m.periode)::int and t.kode_wilayah = m.kode_wilayah

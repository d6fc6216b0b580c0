-- Regulation pillar per month: regulasi_ada for kab/kota and province governments
-- (an instrument of type PERDA, PERGUB, PERBUP, PERWALI or KEPKADA enacted on or
-- before the last day of the month; SE and PKS do not count), and regulasi_persen for
-- provinces and the nation over ALL kab/kota of the region reference.
with frame as (
    select periode, tingkat, kode_wilayah, kode_provinsi from {{ ref('int_monev__wilayah_periode') }}
),

instrumen as (
    -- the star's instruments, codes already mapped to today's regions; `dihitung`: the
    -- instrument types that count (fct_regulasi)
    select
        r.kode_pemda,
        min(r.tanggal_penetapan) as tanggal_pertama
    from {{ ref('fct_regulasi') }} as r
    where r.dihitung and r.tanggal_penetapan is not null
    group by 1
),

pemda as (
    select
        f.periode,
        f.tingkat,
        f.kode_wilayah,
        f.kode_provinsi,
        coalesce(i.tanggal_pertama < (f.periode + interval '1 month')::date, false) as regulasi_ada
    from frame as f
    left join instrumen as i on i.kode_pemda = f.kode_wilayah
    where f.tingkat <> 'NASIONAL'
),

persen_provinsi as (
    select
        periode,
        kode_provinsi as kode_wilayah,
        100.0 * count(*) filter (where regulasi_ada) / nullif(count(*), 0) as regulasi_persen
    from pemda
    where tingkat = 'KABKOTA'
    group by periode, kode_provinsi
),

persen_nasional as (
    select
        periode,
        '00' as kode_wilayah,
        100.0 * count(*) filter (where regulasi_ada) / nullif(count(*), 0) as regulasi_persen
    from pemda
    where tingkat = 'KABKOTA'
    group by periode
)

select
    f.periode,
    f.kode_wilayah,
    p.regulasi_ada,
    trim_scale(coalesce(pp.regulasi_persen, pn.regulasi_persen)) as regulasi_persen
from frame as f
left join pemda as p on p.periode = f.periode and p.kode_wilayah = f.kode_wilayah
left join persen_provinsi as pp
    on f.tingkat = 'PROVINSI' and pp.periode = f.periode and pp.kode_wilayah = f.kode_wilayah
left join persen_nasional as pn
    on f.tingkat = 'NASIONAL' and pn.periode = f.periode

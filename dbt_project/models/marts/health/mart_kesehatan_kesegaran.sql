-- Data health for BI: per month, source and region, the latest period that region's
-- data was delivered for, up to that month, and how many months it is behind.
-- kepesertaan is expected for every kab/kota; realisasi for every pemda (province and
-- kab/kota), whose figure in the marts comes from its latest month <= M
-- (int_monev__anggaran_pemda_bulanan). Codes are mapped to today's regions first.
with dikirim as (
    select distinct 'kepesertaan' as source, periode, kode_wilayah
    from {{ ref('int_monev__kepesertaan_kabkota') }}
    union
    select distinct 'realisasi' as source, r.periode, r.kode_pemda
    from {{ ref('fct_realisasi_bulanan') }} as r
),

bulan as (
    select distinct periode from dikirim
),

wilayah as (
    select kode_wilayah, nama_wilayah, tingkat, kode_provinsi
    from {{ ref('dim_wilayah') }}
    where is_current and tingkat in ('PROVINSI', 'KABUPATEN', 'KOTA')
),

harapan as (
    -- which region each source should deliver for
    select 'kepesertaan' as source, w.* from wilayah as w where w.tingkat <> 'PROVINSI'
    union all
    select 'realisasi' as source, w.* from wilayah as w
),

terakhir as (
    select
        b.periode,
        h.source,
        h.kode_wilayah,
        h.nama_wilayah,
        h.tingkat,
        h.kode_provinsi,
        max(d.periode) as periode_terakhir
    from bulan as b
    cross join harapan as h
    left join dikirim as d
        on d.source = h.source
        and d.kode_wilayah = h.kode_wilayah
        and d.periode <= b.periode
        -- realisasi is cumulative within a fiscal year: last year's does not count
        and (h.source <> 'realisasi' or date_trunc('year', d.periode) = date_trunc('year', b.periode))
    group by 1, 2, 3, 4, 5, 6
)

select
    periode,
    source,
    kode_wilayah,
    nama_wilayah,
    tingkat,
    kode_provinsi,
    periode_terakhir,
    case when periode_terakhir is not null then
        ((extract(year from periode) - extract(year from periode_terakhir)) * 12
         + extract(month from periode) - extract(month from periode_terakhir))::int
    end as bulan_tertinggal,
    periode_terakhir is null or periode_terakhir < periode as terlambat
from terakhir

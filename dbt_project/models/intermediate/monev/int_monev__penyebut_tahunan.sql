-- Denominators per (ukuran, tahun, region) with the year rule of DOMAIN.md, applied
-- to both series (ukuran PENDUDUK_BEKERJA = BPS employed population; POTENSI =
-- potensi_pu + potensi_bpu + potensi_jakon):
--   kab/kota: its own row of its latest delivered year <= tahun;
--   province: its own row (latest year <= tahun) if it has one, else the sum of its
--             kab/kota figures above (tahun_data = latest year among them);
--   nation:   the '00' row (latest year <= tahun) if delivered, else the sum of the
--             provinces' figures.
-- A region with nothing delivered has no row here, so its percentages stay NULL.
with tahun as (
    select distinct extract(year from periode)::int as tahun
    from {{ ref('stg_bpjs__kepesertaan') }}
),

wilayah as (
    select kode, tingkat, kode_provinsi from {{ ref('stg_referensi__wilayah') }}
),

-- the star's denominator facts: BPS rows translated, old codes mapped to today's
sumber as (
    select
        'PENDUDUK_BEKERJA' as ukuran,
        p.tahun,
        p.kode_wilayah,
        p.penduduk_bekerja::numeric as nilai
    from {{ ref('fct_penduduk_bekerja') }} as p
    union all
    select 'POTENSI', p.tahun, p.kode_wilayah, p.potensi_total::numeric
    from {{ ref('fct_potensi_peserta') }} as p
),

-- An old code and its replacement delivered for the same year describe one region.
sumber_per_kode as (
    select ukuran, tahun, kode_wilayah, sum(nilai) as nilai
    from sumber
    group by ukuran, tahun, kode_wilayah
),

terakhir as (
    select distinct on (t.tahun, s.ukuran, s.kode_wilayah)
        t.tahun,
        s.ukuran,
        s.kode_wilayah,
        s.nilai,
        s.tahun as tahun_data
    from tahun as t
    inner join sumber_per_kode as s on s.tahun <= t.tahun
    order by t.tahun, s.ukuran, s.kode_wilayah, s.tahun desc
),

kabkota as (
    select t.tahun, t.ukuran, t.kode_wilayah, w.kode_provinsi, t.nilai, t.tahun_data
    from terakhir as t
    inner join wilayah as w on w.kode = t.kode_wilayah and w.tingkat <> 'PROVINSI'
),

provinsi_sendiri as (
    select t.tahun, t.ukuran, t.kode_wilayah, t.nilai, t.tahun_data
    from terakhir as t
    inner join wilayah as w on w.kode = t.kode_wilayah and w.tingkat = 'PROVINSI'
),

-- The roll-up of DOMAIN.md (macros/wilayah/monev_gulung_wilayah.sql) on a yearly frame:
-- a province gets its kab/kota figures, the nation the provinces' figures.
frame_provinsi as (
    select t.tahun, 'PROVINSI' as tingkat, w.kode as kode_wilayah
    from tahun as t
    cross join wilayah as w
    where w.tingkat = 'PROVINSI'
),

frame_nasional as (
    select tahun, 'NASIONAL' as tingkat, '00' as kode_wilayah from tahun
),

provinsi_jumlah as (
    select tahun, ukuran, kode_wilayah, sum(nilai) as nilai, max(tahun_data) as tahun_data
    from (
        {{ monev_gulung_wilayah('frame_provinsi', 'kabkota', ['ukuran', 'nilai', 'tahun_data'], waktu='tahun') }}
    ) as g
    group by tahun, ukuran, kode_wilayah
),

provinsi as (
    select
        tahun,
        ukuran,
        kode_wilayah,
        case when s.nilai is not null then s.nilai else j.nilai end as nilai,
        case when s.nilai is not null then s.tahun_data else j.tahun_data end as tahun_data
    from provinsi_sendiri as s
    full outer join provinsi_jumlah as j using (tahun, ukuran, kode_wilayah)
),

nasional_sendiri as (
    select tahun, ukuran, kode_wilayah, nilai, tahun_data
    from terakhir
    where kode_wilayah = '00'
),

nasional_jumlah as (
    select tahun, ukuran, kode_wilayah, sum(nilai) as nilai, max(tahun_data) as tahun_data
    from (
        {{ monev_gulung_wilayah('frame_nasional', 'provinsi', ['ukuran', 'nilai', 'tahun_data'],
                                kode_provinsi='kode_wilayah', waktu='tahun') }}
    ) as g
    group by tahun, ukuran, kode_wilayah
),

nasional as (
    select
        tahun,
        ukuran,
        kode_wilayah,
        case when s.nilai is not null then s.nilai else j.nilai end as nilai,
        case when s.nilai is not null then s.tahun_data else j.tahun_data end as tahun_data
    from nasional_sendiri as s
    full outer join nasional_jumlah as j using (tahun, ukuran, kode_wilayah)
)

select tahun, ukuran, 'KABKOTA' as tingkat, kode_wilayah, nilai, tahun_data from kabkota
union all
select tahun, ukuran, 'PROVINSI', kode_wilayah, nilai, tahun_data from provinsi
union all
select tahun, ukuran, 'NASIONAL', kode_wilayah, nilai, tahun_data from nasional

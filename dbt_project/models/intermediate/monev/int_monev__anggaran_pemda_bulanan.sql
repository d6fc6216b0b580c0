-- Budget-side measures per (month with coverage data, pemda), long format
-- (ukuran, nilai), before the roll-up to regions:
--   PAGU, PAGU_PEMPROV, PAGU_RENTAN, TARGET_PESERTA_RENTAN: latest version of year(M);
--   REALISASI: Σ realisasi_kumulatif_rp of the pemda's latest month <= M in year(M);
--   IURAN_DITAGIH: Σ iuran_rp billed January..M of year(M) to the pemda as payer
--                  (sumber_iuran APBD_PROVINSI / APBD_KABKOTA).
-- A pemda without data has no row; the roll-up decides between 0 and NULL.
with periode as (
    select distinct periode, extract(year from periode)::int as tahun, extract(month from periode)::int as bulan
    from {{ ref('stg_bpjs__kepesertaan') }}
),

anggaran as (
    select * from {{ ref('int_monev__anggaran_pemda_tahunan') }}
),

realisasi_bulan as (
    -- the star's fct_realisasi_bulanan: codes mapped to today's regions there
    select
        r.tahun,
        r.bulan,
        r.kode_pemda,
        r.kode_provinsi,
        sum(r.realisasi_kumulatif_rp)::numeric as nilai
    from {{ ref('fct_realisasi_bulanan') }} as r
    group by 1, 2, 3, 4
),

realisasi as (
    select distinct on (p.periode, r.kode_pemda)
        p.periode,
        r.kode_pemda,
        r.kode_provinsi,
        r.nilai
    from periode as p
    inner join realisasi_bulan as r on r.tahun = p.tahun and r.bulan <= p.bulan
    order by p.periode, r.kode_pemda, r.bulan desc
),

iuran_bulan as (
    select
        t.periode,
        terkini.kode_wilayah as kode_pemda,
        terkini.kode_provinsi,
        sum(t.iuran_rp)::numeric as nilai
    from {{ ref('int_monev__peserta_rentan_bulanan') }} as t
    {{ monev_kode_terkini('t.kode_pemda_pembayar') }}
    where t.sumber_iuran in ('APBD_PROVINSI', 'APBD_KABKOTA')
        and t.kode_pemda_pembayar is not null
    group by 1, 2, 3
),

iuran as (
    select p.periode, i.kode_pemda, i.kode_provinsi, sum(i.nilai) as nilai
    from periode as p
    inner join iuran_bulan as i
        on i.periode between make_date(p.tahun, 1, 1) and p.periode
    group by 1, 2, 3
)

select p.periode, a.kode_pemda, a.kode_provinsi, a.is_pemprov, 'PAGU' as ukuran, a.pagu_rp as nilai
from periode as p inner join anggaran as a on a.tahun = p.tahun
union all
select p.periode, a.kode_pemda, a.kode_provinsi, a.is_pemprov, 'PAGU_RENTAN', a.pagu_rentan_rp
from periode as p inner join anggaran as a on a.tahun = p.tahun
union all
select p.periode, a.kode_pemda, a.kode_provinsi, a.is_pemprov, 'TARGET_PESERTA_RENTAN', a.target_peserta_rentan
from periode as p inner join anggaran as a on a.tahun = p.tahun
union all
select periode, kode_pemda, kode_provinsi, length(kode_pemda) = 2, 'REALISASI', nilai from realisasi
union all
select periode, kode_pemda, kode_provinsi, length(kode_pemda) = 2, 'IURAN_DITAGIH', nilai from iuran

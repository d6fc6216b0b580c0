-- Budget measures rolled up from pemda to regions, per month with coverage data:
-- a kab/kota counts its own government; a province its provincial government plus
-- all its kab/kota governments (pagu_pemprov_rp: the provincial government alone);
-- the nation all of them.
-- 0 or NULL: when the source was delivered for the month/year (some pemda has a row)
-- a region without rows gets 0 (it budgeted/spent/was billed nothing); when nothing
-- was delivered the value cannot be computed and stays NULL.
with frame as (
    select periode, tingkat, kode_wilayah from {{ ref('int_monev__wilayah_periode') }}
),

pemda as (
    select * from {{ ref('int_monev__anggaran_pemda_bulanan') }}
),

tersedia as (
    select
        periode,
        bool_or(ukuran = 'PAGU') as ada_pagu,
        bool_or(ukuran = 'REALISASI') as ada_realisasi,
        bool_or(ukuran = 'IURAN_DITAGIH') as ada_iuran
    from pemda
    group by periode
),

rollup as (
    {{ monev_gulung_wilayah('frame', 'pemda', ['ukuran', 'is_pemprov', 'nilai'], kode='kode_pemda') }}
),

jumlah as (
    select
        periode,
        kode_wilayah,
        sum(nilai) filter (where ukuran = 'PAGU') as pagu_rp,
        sum(nilai) filter (where ukuran = 'PAGU' and is_pemprov) as pagu_pemprov_rp,
        sum(nilai) filter (where ukuran = 'PAGU_RENTAN') as pagu_rentan_rp,
        sum(nilai) filter (where ukuran = 'TARGET_PESERTA_RENTAN') as target_peserta_rentan,
        sum(nilai) filter (where ukuran = 'REALISASI') as realisasi_rp,
        sum(nilai) filter (where ukuran = 'IURAN_DITAGIH') as iuran_ditagih_rp
    from rollup
    group by periode, kode_wilayah
)

select
    f.periode,
    f.kode_wilayah,
    case when t.ada_pagu then coalesce(j.pagu_rp, 0) end::numeric as pagu_rp,
    case when t.ada_pagu and f.tingkat <> 'KABKOTA' then coalesce(j.pagu_pemprov_rp, 0) end::numeric
        as pagu_pemprov_rp,
    case when t.ada_pagu then coalesce(j.pagu_rentan_rp, 0) end::numeric as pagu_rentan_rp,
    case when t.ada_pagu then coalesce(j.target_peserta_rentan, 0) end::bigint as target_peserta_rentan,
    case when t.ada_realisasi then coalesce(j.realisasi_rp, 0) end::numeric as realisasi_rp,
    case when t.ada_iuran then coalesce(j.iuran_ditagih_rp, 0) end::numeric as iuran_ditagih_rp
from frame as f
left join tersedia as t on t.periode = f.periode
left join jumlah as j on j.periode = f.periode and j.kode_wilayah = f.kode_wilayah

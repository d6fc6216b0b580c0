-- Budget per (tahun, pemda) from the pemda's latest budget version in the warehouse:
-- perubahan > pergeseran > murni. Each pemda is judged on its own: a province on its
-- APBD-P while one of its regencies is still on its murni budget is normal.
-- Built from the star's fct_anggaran (codes mapped to today's regions there); the
-- latest version is judged per current pemda, so an old code's lines and its
-- replacement's are one government.
with anggaran as (
    select
        a.tahun,
        a.versi,
        a.urutan_versi,
        a.kode_pemda,
        a.kode_provinsi,
        a.sasaran,
        a.target_peserta,
        a.pagu_rp
    from {{ ref('fct_anggaran') }} as a
),

versi_terakhir as (
    select tahun, kode_pemda, max(urutan_versi) as urutan_versi
    from anggaran
    group by tahun, kode_pemda
)

select
    a.tahun,
    a.kode_pemda,
    a.kode_provinsi,
    (length(a.kode_pemda) = 2) as is_pemprov,
    a.versi,
    sum(a.pagu_rp)::numeric as pagu_rp,
    sum(case when a.sasaran = 'PEKERJA_RENTAN' then a.pagu_rp else 0 end)::numeric as pagu_rentan_rp,
    sum(case when a.sasaran = 'PEKERJA_RENTAN' then a.target_peserta else 0 end)::bigint
        as target_peserta_rentan
from anggaran as a
inner join versi_terakhir as v
    on v.tahun = a.tahun and v.kode_pemda = a.kode_pemda and v.urutan_versi = a.urutan_versi
group by a.tahun, a.kode_pemda, a.kode_provinsi, a.versi

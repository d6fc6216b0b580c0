-- Budget per (tahun, pemda) from the pemda's latest budget version in the warehouse:
-- perubahan > pergeseran > murni. Each pemda is judged on its own: a province on its
-- APBD-P while one of its regencies is still on its murni budget is normal.
with kode_terkini as (
    select kode_asal, kode_wilayah, kode_provinsi from {{ ref('int_wilayah__kode_terkini') }}
),

anggaran as (
    select
        a.tahun,
        lower(a.versi) as versi,
        case lower(a.versi) when 'perubahan' then 3 when 'pergeseran' then 2 when 'murni' then 1 else 0 end
            as urutan_versi,
        coalesce(m.kode_wilayah, a.kode_pemda) as kode_pemda,
        coalesce(m.kode_provinsi, left(a.kode_pemda, 2)) as kode_provinsi,
        upper(a.sasaran) as sasaran,
        a.target_peserta,
        a.pagu_rp
    from {{ ref('stg_sipd__anggaran') }} as a
    left join kode_terkini as m on m.kode_asal = a.kode_pemda
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

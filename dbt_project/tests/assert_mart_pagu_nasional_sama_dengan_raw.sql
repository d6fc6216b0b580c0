-- Reconciliation: the national allocation of each month equals the raw budget lines
-- of every pemda's highest version for that year (a version counts only if no higher
-- version exists for the same pemda and year).
with urut as (
    select
        a.*,
        case lower(versi) when 'perubahan' then 3 when 'pergeseran' then 2 else 1 end as u
    from {{ source('sipd', 'anggaran') }} as a
),

berlaku as (
    select tahun, sum(pagu_rp) as pagu
    from urut as a
    where not exists (
        select 1 from urut as b
        where b.tahun = a.tahun and b.kode_pemda = a.kode_pemda and b.u > a.u
    )
    group by tahun
)

select m.periode, m.pagu_rp, b.pagu
from {{ ref('mart_monev_wilayah_bulanan') }} as m
left join berlaku as b on b.tahun = extract(year from m.periode)::int
where m.kode_wilayah = '00' and m.pagu_rp is distinct from b.pagu

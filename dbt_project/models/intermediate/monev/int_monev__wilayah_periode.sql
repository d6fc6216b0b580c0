-- The frame of mart_monev_wilayah_bulanan: every month with coverage data crossed
-- with every region of the current reference (kab/kota, province) and the nation.
-- Regions without rows in a month still get a row, so a missing region is visible.
with periode as (
    select distinct periode from {{ ref('stg_bpjs__kepesertaan') }}
),

wilayah as (
    select
        case when tingkat = 'PROVINSI' then 'PROVINSI' else 'KABKOTA' end as tingkat,
        kode as kode_wilayah,
        nama as nama_wilayah,
        kode_provinsi
    from {{ ref('stg_referensi__wilayah') }}
    union all
    -- The nation has no province: kode_provinsi NULL is what row-level security shows to everyone.
    select 'NASIONAL', '00', 'INDONESIA', null
)

select
    p.periode,
    extract(year from p.periode)::int as tahun,
    w.tingkat,
    w.kode_wilayah,
    w.nama_wilayah,
    w.kode_provinsi
from periode as p
cross join wilayah as w

-- Month calendar covering every period of the facts (and at least 2021, the year of
-- Inpres 2/2021, to the end of the latest year with data).
with batas as (
    select
        least(min(p), date '2021-01-01') as awal,
        greatest(max(p), date '2021-12-01') as akhir
    from (
        select periode as p from {{ ref('stg_bpjs__kepesertaan') }}
        -- the participant months from their small per-month summary, not the list itself
        union all select periode from {{ ref('int_monev__peserta_rentan_bulanan') }}
        union all select periode from {{ ref('stg_sipd__realisasi') }}
        union all select make_date(tahun, 1, 1) from {{ ref('stg_sipd__anggaran') }}
    ) as semua
),

bulan as (
    select cast(g as date) as periode
    from batas,
        generate_series(
            date_trunc('year', batas.awal),
            date_trunc('year', batas.akhir) + interval '11 months',
            interval '1 month'
        ) as g
)

select
    cast(to_char(periode, 'YYYYMM') as integer) as waktu_key,
    periode,
    cast(periode + interval '1 month' - interval '1 day' as date) as akhir_bulan,
    cast(extract(year from periode) as integer) as tahun,
    cast(extract(month from periode) as integer) as bulan,
    cast(extract(quarter from periode) as integer) as triwulan,
    case when extract(month from periode) <= 6 then 1 else 2 end as semester,
    (array['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
           'September', 'Oktober', 'November', 'Desember'])[extract(month from periode)]
        as nama_bulan,
    (array['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
           'September', 'Oktober', 'November', 'Desember'])[extract(month from periode)]
        || ' ' || extract(year from periode) as label_periode,
    cast(periode - interval '1 month' as date) as periode_sebelumnya
from bulan

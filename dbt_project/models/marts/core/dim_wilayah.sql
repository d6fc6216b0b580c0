-- Every current province and kabupaten/kota plus every replaced code, with its
-- validity period and replacement: figures delivered under an old code can be traced
-- to the region they count for today (kode_terkini).
with wilayah as (
    select kode, nama, tingkat, kode_provinsi from {{ ref('stg_referensi__wilayah') }}
),

perubahan as (
    select distinct on (kode_lama) kode_lama, kode_baru, berlaku_mulai, dasar_hukum
    from {{ ref('stg_referensi__wilayah_perubahan') }}
    where kode_lama <> kode_baru
    order by kode_lama, berlaku_mulai desc, kode_baru
),

masuk as (
    -- when a current code came into use (it replaced an older one)
    select kode_baru, max(berlaku_mulai) as berlaku_mulai
    from perubahan group by kode_baru
),

kini as (
    select
        w.kode as kode_wilayah,
        w.nama as nama_wilayah,
        w.tingkat,
        w.kode_provinsi,
        m.berlaku_mulai,
        cast(null as date) as berlaku_sampai,
        cast(null as text) as kode_pengganti,
        w.kode as kode_terkini,
        cast(null as text) as dasar_hukum,
        true as is_current
    from wilayah as w
    left join masuk as m on m.kode_baru = w.kode
),

lama as (
    -- old names are not delivered: a replaced code carries the name of the region it
    -- became (the same regency under a new province)
    select
        p.kode_lama as kode_wilayah,
        coalesce(wb.nama, wt.nama) as nama_wilayah,
        coalesce(wb.tingkat, wt.tingkat) as tingkat,
        split_part(p.kode_lama, '.', 1) as kode_provinsi,
        m.berlaku_mulai,
        cast(p.berlaku_mulai - 1 as date) as berlaku_sampai,
        p.kode_baru as kode_pengganti,
        t.kode_wilayah as kode_terkini,
        p.dasar_hukum,
        false as is_current
    from perubahan as p
    left join masuk as m on m.kode_baru = p.kode_lama
    {{ monev_kode_terkini('p.kode_lama', alias='t') }}
    left join wilayah as wb on wb.kode = p.kode_baru
    left join wilayah as wt on wt.kode = t.kode_wilayah
    where not exists (select 1 from wilayah as w where w.kode = p.kode_lama)
),

semua as (
    select * from kini
    union all
    select * from lama
)

select
    {{ monev_key(['s.kode_wilayah']) }} as wilayah_key,
    s.kode_wilayah,
    s.nama_wilayah,
    s.tingkat,
    s.kode_provinsi,
    pv.nama as nama_provinsi,
    s.berlaku_mulai,
    s.berlaku_sampai,
    s.kode_pengganti,
    s.kode_terkini,
    tk.kode_provinsi as kode_provinsi_terkini,
    s.dasar_hukum,
    s.is_current
from semua as s
left join wilayah as pv on pv.kode = s.kode_provinsi
left join wilayah as tk on tk.kode = s.kode_terkini

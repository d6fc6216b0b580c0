-- Every Kemendagri region code that may appear in a fact, mapped to the region it
-- counts for today: current codes to themselves, old codes (wilayah_perubahan) to
-- their replacement - followed through chains of changes. '00' is the nation.
-- Facts join through this model so figures delivered under an old code roll up to the
-- new code's current province. BPS-coded denominator rows are translated to Kemendagri
-- codes before they get here (int_wilayah__penduduk_bekerja / __potensi_peserta): a
-- BPS code is never looked up in this map, where it could collide with a live code.
with recursive
wilayah as (
    select kode, tingkat, kode_provinsi from {{ ref('stg_referensi__wilayah') }}
),

perubahan as (
    -- one replacement per old code: the latest change if a code was changed twice
    select distinct on (kode_lama) kode_lama, kode_baru, berlaku_mulai
    from {{ ref('stg_referensi__wilayah_perubahan') }}
    where kode_lama <> kode_baru
    order by kode_lama, berlaku_mulai desc, kode_baru
),

rantai (kode_asal, kode_sekarang, berlaku_mulai, langkah) as (
    select kode_lama, kode_baru, berlaku_mulai, 1
    from perubahan
    union all
    select r.kode_asal, p.kode_baru, r.berlaku_mulai, r.langkah + 1
    from rantai as r
    inner join perubahan as p on p.kode_lama = r.kode_sekarang
    where r.langkah < 10  -- guards against a cycle in a bad reference file
),

lama as (
    -- the end of each chain; berlaku_mulai = when the old code stopped being valid
    select distinct on (kode_asal) kode_asal, kode_sekarang, berlaku_mulai
    from rantai
    order by kode_asal, langkah desc
),

kode as (
    select
        w.kode as kode_asal,
        w.kode as kode_wilayah,
        cast(null as date) as berlaku_mulai,
        'KEMENDAGRI' as jenis_kode
    from wilayah as w
    union all
    select l.kode_asal, l.kode_sekarang, l.berlaku_mulai, 'LAMA'
    from lama as l
    where not exists (select 1 from wilayah as w where w.kode = l.kode_asal)
)

select
    k.kode_asal,
    k.kode_wilayah,
    w.kode_provinsi,
    w.tingkat,
    k.berlaku_mulai,
    k.jenis_kode
from kode as k
inner join wilayah as w on w.kode = k.kode_wilayah

union all

select '00', '00', cast(null as text), 'NASIONAL', cast(null as date), 'NASIONAL'

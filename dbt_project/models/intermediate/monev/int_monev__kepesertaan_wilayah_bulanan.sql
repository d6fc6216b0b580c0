-- Coverage and double-funding counts rolled up from kab/kota to provinces and the
-- nation, on the full frame of regions x months with coverage data.
-- 0 or NULL: every extract is a national compilation, so in a month that was
-- delivered a region without rows has 0 participants (not NULL). nik_ganda and
-- iuran_ganda_rp are NULL in months whose participant list was not delivered.
with frame as (
    select periode, tingkat, kode_wilayah, kode_provinsi from {{ ref('int_monev__wilayah_periode') }}
),

kab as (
    select * from {{ ref('int_monev__kepesertaan_kabkota') }}
),

ganda_kab as (
    select
        periode,
        kode_wilayah_domisili as kode_wilayah,
        kode_provinsi,
        count(*)::bigint as nik_ganda,
        sum(iuran_ganda_rp)::numeric as iuran_ganda_rp
    from {{ ref('int_monev__nik_ganda_peserta') }}
    group by 1, 2, 3
),

rentan_tersedia as (
    select distinct periode from {{ ref('int_monev__peserta_rentan_bulanan') }}
),

{% set ukuran = [
    'peserta_aktif', 'peserta_terdaftar', 'peserta_baru', 'peserta_keluar',
    'peserta_aktif_pu', 'peserta_aktif_bpu', 'peserta_aktif_jakon', 'peserta_aktif_pmi',
    'pekerja_rentan_aktif', 'pekerja_rentan_aktif_apbd_provinsi',
    'pekerja_rentan_aktif_apbd_kabkota', 'pekerja_rentan_aktif_apbdes',
    'pekerja_rentan_aktif_csr'] %}

-- Each region's kab/kota rows: itself, its province's, or all (the nation).
kab_per_wilayah as (
    {{ monev_gulung_wilayah('frame', 'kab', ukuran) }}
),

kepesertaan as (
    select
        periode,
        kode_wilayah,
        {% for u in ukuran %}
        sum({{ u }}) as {{ u }}{{ "," if not loop.last }}
        {% endfor %}
    from kab_per_wilayah
    group by periode, kode_wilayah
),

ganda as (
    select periode, kode_wilayah, sum(nik_ganda) as nik_ganda, sum(iuran_ganda_rp) as iuran_ganda_rp
    from (
        {{ monev_gulung_wilayah('frame', 'ganda_kab', ['nik_ganda', 'iuran_ganda_rp']) }}
    ) as x
    group by periode, kode_wilayah
)

select
    f.periode,
    f.kode_wilayah,
    {% for u in ukuran %}
    coalesce(k.{{ u }}, 0)::bigint as {{ u }},
    {% endfor %}
    case when r.periode is not null then coalesce(g.nik_ganda, 0) end::bigint as nik_ganda,
    case when r.periode is not null then coalesce(g.iuran_ganda_rp, 0) end::numeric as iuran_ganda_rp
from frame as f
left join kepesertaan as k on k.periode = f.periode and k.kode_wilayah = f.kode_wilayah
left join ganda as g on g.periode = f.periode and g.kode_wilayah = f.kode_wilayah
left join rentan_tersedia as r on r.periode = f.periode

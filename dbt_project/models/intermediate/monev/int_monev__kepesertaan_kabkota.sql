-- Coverage summed per month and CURRENT kab/kota: rows delivered under an old code
-- (before a split) are mapped to the code that replaced it, so they roll up to the
-- new code's current province - the remap of the star fact (macros/wilayah/monev_kode_terkini.sql).
with kepesertaan as (
    select
        k.periode,
        terkini.kode_wilayah,
        terkini.kode_provinsi,
        k.segmen,
        k.kategori_pekerja,
        k.sumber_iuran,
        k.tk_terdaftar,
        k.tk_aktif,
        k.tk_baru,
        k.tk_keluar
    from {{ ref('stg_bpjs__kepesertaan') }} as k
    {{ monev_kode_terkini('k.kode_wilayah') }}
)

select
    periode,
    kode_wilayah,
    kode_provinsi,
    sum(tk_aktif)::bigint as peserta_aktif,
    sum(tk_terdaftar)::bigint as peserta_terdaftar,
    sum(tk_baru)::bigint as peserta_baru,
    sum(tk_keluar)::bigint as peserta_keluar,
    sum(case when segmen = 'PU' then tk_aktif else 0 end)::bigint as peserta_aktif_pu,
    sum(case when segmen = 'BPU' then tk_aktif else 0 end)::bigint as peserta_aktif_bpu,
    sum(case when segmen = 'JAKON' then tk_aktif else 0 end)::bigint as peserta_aktif_jakon,
    sum(case when segmen = 'PMI' then tk_aktif else 0 end)::bigint as peserta_aktif_pmi,
    sum(case when kategori_pekerja = 'PEKERJA_RENTAN' then tk_aktif else 0 end)::bigint
        as pekerja_rentan_aktif,
    sum(case when kategori_pekerja = 'PEKERJA_RENTAN' and sumber_iuran = 'APBD_PROVINSI'
        then tk_aktif else 0 end)::bigint as pekerja_rentan_aktif_apbd_provinsi,
    sum(case when kategori_pekerja = 'PEKERJA_RENTAN' and sumber_iuran = 'APBD_KABKOTA'
        then tk_aktif else 0 end)::bigint as pekerja_rentan_aktif_apbd_kabkota,
    sum(case when kategori_pekerja = 'PEKERJA_RENTAN' and sumber_iuran = 'APBDES'
        then tk_aktif else 0 end)::bigint as pekerja_rentan_aktif_apbdes,
    sum(case when kategori_pekerja = 'PEKERJA_RENTAN' and sumber_iuran = 'CSR'
        then tk_aktif else 0 end)::bigint as pekerja_rentan_aktif_csr
from kepesertaan
group by periode, kode_wilayah, kode_provinsi

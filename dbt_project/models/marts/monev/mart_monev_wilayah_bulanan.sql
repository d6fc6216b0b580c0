-- The Monev mart: one row per (periode, kode_wilayah) for every kab/kota, province
-- and the nation ('00') of the current region reference, for every month with
-- coverage data. Percentages come from the unrounded sums; a division by zero or by a
-- missing value is NULL, never 0.
with frame as (
    select * from {{ ref('int_monev__wilayah_periode') }}
),

kepesertaan as (
    select * from {{ ref('int_monev__kepesertaan_wilayah_bulanan') }}
),

penyebut as (
    select * from {{ ref('int_monev__penyebut_tahunan') }}
),

target as (
    select tahun, kode_wilayah, target_persen
    from {{ ref('int_monev__target_tahunan') }}
    where sumber_target = 'KEMENDAGRI_UCJ'
),

gabung as (
    select
        f.periode,
        f.tingkat,
        f.kode_wilayah,
        f.nama_wilayah,
        f.kode_provinsi,
        k.peserta_aktif,
        k.peserta_terdaftar,
        k.peserta_baru,
        k.peserta_keluar,
        k.peserta_aktif_pu,
        k.peserta_aktif_bpu,
        k.peserta_aktif_jakon,
        k.peserta_aktif_pmi,
        k.pekerja_rentan_aktif,
        k.pekerja_rentan_aktif_apbd_provinsi,
        k.pekerja_rentan_aktif_apbd_kabkota,
        k.pekerja_rentan_aktif_apbdes,
        k.pekerja_rentan_aktif_csr,
        pb.nilai::bigint as penduduk_bekerja,
        pb.tahun_data as tahun_penduduk_bekerja,
        pt.nilai as potensi,
        pt.tahun_data as tahun_potensi,
        100.0 * k.peserta_aktif / nullif(pb.nilai, 0) as cakupan_persen,
        100.0 * k.peserta_aktif / nullif(pt.nilai, 0) as cakupan_potensi_persen,
        t.target_persen,
        a.pagu_rp,
        a.pagu_pemprov_rp,
        a.realisasi_rp,
        a.iuran_ditagih_rp,
        a.pagu_rentan_rp,
        a.target_peserta_rentan,
        r.regulasi_ada,
        r.regulasi_persen,
        k.nik_ganda,
        k.iuran_ganda_rp
    from frame as f
    left join kepesertaan as k on k.periode = f.periode and k.kode_wilayah = f.kode_wilayah
    left join penyebut as pb
        on pb.ukuran = 'PENDUDUK_BEKERJA' and pb.tahun = f.tahun and pb.kode_wilayah = f.kode_wilayah
    left join penyebut as pt
        on pt.ukuran = 'POTENSI' and pt.tahun = f.tahun and pt.kode_wilayah = f.kode_wilayah
    left join target as t on t.tahun = f.tahun and t.kode_wilayah = f.kode_wilayah
    left join {{ ref('int_monev__anggaran_wilayah_bulanan') }} as a
        on a.periode = f.periode and a.kode_wilayah = f.kode_wilayah
    left join {{ ref('int_monev__regulasi_wilayah_bulanan') }} as r
        on r.periode = f.periode and r.kode_wilayah = f.kode_wilayah
),

dengan_peringkat as (
    select
        g.*,
        -- NULL coverage is neither ranked nor takes a place: it gets its own partition.
        case when g.cakupan_persen is not null and g.tingkat <> 'NASIONAL' then
            rank() over (
                partition by
                    g.periode,
                    g.tingkat,
                    case when g.tingkat = 'KABKOTA' then g.kode_provinsi end,
                    g.cakupan_persen is null
                order by g.cakupan_persen desc
            )
        end::int as peringkat
    from gabung as g
)

-- trim_scale drops trailing zeros only (exact value kept): 50 rather than 50.0000000000000000.
select
    g.periode,
    g.tingkat,
    g.kode_wilayah,
    g.nama_wilayah,
    g.kode_provinsi,
    g.peserta_aktif,
    g.peserta_terdaftar,
    g.peserta_baru,
    g.peserta_keluar,
    g.peserta_aktif_pu,
    g.peserta_aktif_bpu,
    g.peserta_aktif_jakon,
    g.peserta_aktif_pmi,
    g.pekerja_rentan_aktif,
    g.pekerja_rentan_aktif_apbd_provinsi,
    g.pekerja_rentan_aktif_apbd_kabkota,
    g.pekerja_rentan_aktif_apbdes,
    g.pekerja_rentan_aktif_csr,
    g.penduduk_bekerja,
    g.tahun_penduduk_bekerja,
    g.tahun_potensi,
    trim_scale(g.cakupan_persen) as cakupan_persen,
    trim_scale(g.cakupan_potensi_persen) as cakupan_potensi_persen,
    trim_scale(g.target_persen) as target_persen,
    trim_scale(100.0 * g.cakupan_persen / nullif(g.target_persen, 0)) as capaian_target_persen,
    trim_scale(g.target_persen - g.cakupan_persen) as gap_pp,
    -- greatest() skips NULLs, so a missing denominator must be kept NULL explicitly.
    case when g.penduduk_bekerja is not null and g.peserta_aktif is not null
        then greatest(g.penduduk_bekerja - g.peserta_aktif, 0) end::bigint as belum_terlindungi,
    trim_scale(100.0 * g.peserta_aktif / nullif(g.peserta_terdaftar, 0)) as keaktifan_persen,
    trim_scale(100.0 * (g.peserta_aktif - lalu.peserta_aktif) / nullif(lalu.peserta_aktif, 0))
        as pertumbuhan_aktif_persen,
    g.pagu_rp,
    g.pagu_pemprov_rp,
    g.realisasi_rp,
    g.iuran_ditagih_rp,
    g.pagu_rentan_rp,
    g.target_peserta_rentan,
    trim_scale(100.0 * g.realisasi_rp / nullif(g.pagu_rp, 0)) as serapan_persen,
    -- billed contributions against realisation: what the reports' budget tables and the
    -- dashboards show (one name, one formula)
    trim_scale(g.iuran_ditagih_rp - g.realisasi_rp) as selisih_tagihan_rp,
    trim_scale(100.0 * g.realisasi_rp / nullif(g.iuran_ditagih_rp, 0))
        as rasio_realisasi_tagihan_persen,
    trim_scale(100.0 * g.pagu_rentan_rp
        / nullif(g.target_peserta_rentan * {{ var('iuran_standar_rp', 16800) }} * 12, 0))
        as kewajaran_pagu_persen,
    g.regulasi_ada,
    trim_scale(g.regulasi_persen) as regulasi_persen,
    g.peringkat,
    g.nik_ganda,
    g.iuran_ganda_rp
from dengan_peringkat as g
-- Growth compares with the calendar month before, not the previous row: a gap in the
-- deliveries leaves it NULL.
left join gabung as lalu
    on lalu.kode_wilayah = g.kode_wilayah
    and lalu.periode = (g.periode - interval '1 month')::date

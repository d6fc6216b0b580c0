-- Coverage per (periode, kode_wilayah, segmen, kategori_pekerja, sumber_iuran); the single published revision of each period.
-- Staging: rename, type and canonicalise only; no joins.
select
    periode,
    trim(kode_wilayah) as kode_wilayah,
    nama_wilayah,
    upper(trim(segmen)) as segmen,
    upper(trim(kategori_pekerja)) as kategori_pekerja,
    upper(trim(sumber_iuran)) as sumber_iuran,
    tk_terdaftar,
    tk_aktif,
    tk_baru,
    tk_keluar,
    jumlah_proyek,
    iuran_rp,
    batch_id,
    source_row
from {{ source('bpjs', 'kepesertaan') }}

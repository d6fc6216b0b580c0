-- APBD budget lines per (tahun, versi, kode_pemda, kode_sub_kegiatan, kode_rekening, sasaran).
-- Staging: rename, type and canonicalise only; no joins.
select
    tahun,
    lower(trim(versi)) as versi,
    trim(kode_pemda) as kode_pemda,
    nama_pemda,
    kode_skpd,
    nama_skpd,
    trim(kode_sub_kegiatan) as kode_sub_kegiatan,
    nama_sub_kegiatan,
    trim(kode_rekening) as kode_rekening,
    uraian_rekening,
    upper(trim(sasaran)) as sasaran,
    target_peserta,
    pagu_rp,
    batch_id,
    source_row
from {{ source('sipd', 'anggaran') }}

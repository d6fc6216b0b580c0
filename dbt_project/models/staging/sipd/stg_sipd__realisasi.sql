-- Cumulative spending realisation per (tahun, bulan, kode_pemda, kode_sub_kegiatan, kode_rekening, sasaran).
-- Staging: rename, type and canonicalise only; no joins.
select
    tahun,
    bulan,
    make_date(tahun, bulan, 1) as periode,
    trim(kode_pemda) as kode_pemda,
    trim(kode_sub_kegiatan) as kode_sub_kegiatan,
    trim(kode_rekening) as kode_rekening,
    upper(trim(sasaran)) as sasaran,
    realisasi_kumulatif_rp,
    peserta_dibayar,
    batch_id,
    source_row
from {{ source('sipd', 'realisasi') }}

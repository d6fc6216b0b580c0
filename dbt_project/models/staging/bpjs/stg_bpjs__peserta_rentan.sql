-- Billing rows of vulnerable workers per (periode, peserta_id, sumber_iuran, kode_pemda_pembayar); pseudonymised (no NIK, name or birth date).
-- Staging: rename, type and canonicalise only; no joins.
select
    periode,
    peserta_id,
    upper(trim(jenis_kelamin)) as jenis_kelamin,
    tahun_lahir,
    trim(kode_wilayah_domisili) as kode_wilayah_domisili,
    upper(trim(sumber_iuran)) as sumber_iuran,
    nullif(trim(kode_pemda_pembayar), '') as kode_pemda_pembayar,
    upper(trim(program)) as program,
    tanggal_mulai,
    upper(trim(status)) as status,
    iuran_rp,
    nik_valid,
    nik_tanggal_cocok,
    nik_kelamin_cocok,
    nik_kode_wilayah,
    batch_id,
    source_row
from {{ source('bpjs', 'peserta_rentan') }}

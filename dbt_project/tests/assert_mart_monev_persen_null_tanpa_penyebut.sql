-- A percentage without a usable denominator is NULL, never 0 - and with one it is set.
select periode, kode_wilayah
from {{ ref('mart_monev_wilayah_bulanan') }}
where ((penduduk_bekerja is null or penduduk_bekerja = 0) and cakupan_persen is not null)
    or (penduduk_bekerja > 0 and cakupan_persen is null)
    or ((peserta_terdaftar is null or peserta_terdaftar = 0) and keaktifan_persen is not null)
    or ((pagu_rp is null or pagu_rp = 0) and serapan_persen is not null)
    or (cakupan_persen is null and peringkat is not null)
    or (tingkat = 'NASIONAL' and peringkat is not null)

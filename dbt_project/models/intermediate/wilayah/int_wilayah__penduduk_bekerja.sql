-- Employed population per year and region, every row under its Kemendagri code
-- (BPS-coded rows translated: macros/wilayah/monev_penyebut_kemendagri.sql).
{{ monev_penyebut_kemendagri('stg_referensi__penduduk_bekerja', ['penduduk_bekerja']) }}

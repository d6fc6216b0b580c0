-- BPJS eligible-worker estimate per year and region, every row under its Kemendagri
-- code (BPS-coded rows translated: macros/wilayah/monev_penyebut_kemendagri.sql).
{{ monev_penyebut_kemendagri('stg_referensi__potensi_peserta', ['potensi_pu', 'potensi_bpu', 'potensi_jakon']) }}

-- APBD budget versions; a later version supersedes an earlier one of the same year.
-- The code list of the source spec (monev.sources.anggaran), through the seed generated
-- from it (macro monev_dim_kode): a code is added in the spec, never here.
{{ monev_dim_kode('anggaran', 'versi', key_name='versi_anggaran_key') }}

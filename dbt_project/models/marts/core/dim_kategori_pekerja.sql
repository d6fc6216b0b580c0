-- Worker categories (EXTRACTS.md §1).
-- The code list of the source spec (monev.sources.kepesertaan), through the seed generated
-- from it (macro monev_dim_kode): a code is added in the spec, never here.
{{ monev_dim_kode('kepesertaan', 'kategori_pekerja') }}

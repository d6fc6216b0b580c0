-- Programme packages bought for vulnerable workers (EXTRACTS.md §2).
-- The code list of the source spec (monev.sources.peserta_rentan), through the seed generated
-- from it (macro monev_dim_kode): a code is added in the spec, never here.
{{ monev_dim_kode('peserta_rentan', 'program', extra=['iuran_bulanan_rp']) }}

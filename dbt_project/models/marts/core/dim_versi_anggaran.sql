-- APBD budget versions; a later version supersedes an earlier one of the same year.
-- The code list of the source spec (monev.sources.anggaran), through the seed generated
-- from it (monev.transform.code_lists): a code is added in the spec, never here.
select
    {{ monev_key(['versi']) }} as versi_anggaran_key,
    versi,
    nama,
    keterangan,
    urutan
from (
    select
        kode as versi,
        nama,
        keterangan,
        urutan
    from {{ ref('daftar_kode') }}
    where sumber = 'anggaran' and kolom = 'versi'
) as k

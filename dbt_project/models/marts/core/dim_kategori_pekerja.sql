-- Worker categories (EXTRACTS.md §1).
-- The code list of the source spec (monev.sources.kepesertaan), through the seed generated
-- from it (monev.transform.code_lists): a code is added in the spec, never here.
select
    {{ monev_key(['kategori_pekerja']) }} as kategori_pekerja_key,
    kategori_pekerja,
    nama,
    keterangan,
    urutan
from (
    select
        kode as kategori_pekerja,
        nama,
        keterangan,
        urutan
    from {{ ref('daftar_kode') }}
    where sumber = 'kepesertaan' and kolom = 'kategori_pekerja'
) as k

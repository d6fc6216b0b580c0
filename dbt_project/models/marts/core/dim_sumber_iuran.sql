-- Who pays the contribution (EXTRACTS.md §1-2).
-- The code list of the source spec (monev.sources.kepesertaan), through the seed generated
-- from it (monev.transform.code_lists): a code is added in the spec, never here.
select
    {{ monev_key(['sumber_iuran']) }} as sumber_iuran_key,
    sumber_iuran,
    nama,
    keterangan,
    urutan
from (
    select
        kode as sumber_iuran,
        nama,
        keterangan,
        urutan
    from {{ ref('daftar_kode') }}
    where sumber = 'kepesertaan' and kolom = 'sumber_iuran'
) as k

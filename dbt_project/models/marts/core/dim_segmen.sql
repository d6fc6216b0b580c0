-- Participant segments (EXTRACTS.md §1).
-- The code list of the source spec (monev.sources.kepesertaan), through the seed generated
-- from it (monev.transform.code_lists): a code is added in the spec, never here.
select
    {{ monev_key(['segmen']) }} as segmen_key,
    segmen,
    nama,
    keterangan,
    urutan
from (
    select
        kode as segmen,
        nama,
        keterangan,
        urutan
    from {{ ref('daftar_kode') }}
    where sumber = 'kepesertaan' and kolom = 'segmen'
) as k

-- Programme packages bought for vulnerable workers (EXTRACTS.md §2).
-- The code list of the source spec (monev.sources.peserta_rentan), through the seed generated
-- from it (monev.transform.code_lists): a code is added in the spec, never here.
select
    {{ monev_key(['program']) }} as program_key,
    program,
    nama,
    keterangan,
    urutan,
    iuran_bulanan_rp
from (
    select
        kode as program,
        nama,
        keterangan,
        urutan,
        iuran_bulanan_rp
    from {{ ref('daftar_kode') }}
    where sumber = 'peserta_rentan' and kolom = 'program'
) as k

-- Programme packages bought for vulnerable workers (EXTRACTS.md §2). Fixed code list of the extract contract.
select
    {{ monev_key(['program']) }} as program_key,
    program,
    nama,
    keterangan,
    urutan,
    iuran_bulanan_rp
from (values
    ('JKK_JKM', 'JKK + JKM', 'Work accident and death, Rp16.800 a month', 1, 16800),
    ('JKK_JKM_JHT', 'JKK + JKM + JHT', 'Work accident, death and old-age savings, Rp36.800 a month', 2, 36800)
) as v (program, nama, keterangan, urutan, iuran_bulanan_rp)

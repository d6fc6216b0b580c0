-- Worker categories (EXTRACTS.md §1). Fixed code list of the extract contract.
select
    {{ monev_key(['kategori_pekerja']) }} as kategori_pekerja_key,
    kategori_pekerja,
    nama,
    keterangan,
    urutan
from (values
    ('UMUM', 'Umum', 'General workers', 1),
    ('NON_ASN', 'Non-ASN', 'Non-civil-servant government staff', 2),
    ('PERANGKAT_DESA', 'Perangkat Desa', 'Village officials', 3),
    ('RT_RW', 'Pengurus RT/RW', 'Neighbourhood (RT/RW) officials', 4),
    ('PENYELENGGARA_PEMILU', 'Penyelenggara Pemilu', 'Election workers', 5),
    ('PEKERJA_RENTAN', 'Pekerja Rentan', 'Vulnerable workers', 6)
) as v (kategori_pekerja, nama, keterangan, urutan)

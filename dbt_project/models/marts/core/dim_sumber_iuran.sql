-- Who pays the contribution (EXTRACTS.md §1-2). Fixed code list of the extract contract.
select
    {{ monev_key(['sumber_iuran']) }} as sumber_iuran_key,
    sumber_iuran,
    nama,
    keterangan,
    urutan
from (values
    ('MANDIRI', 'Mandiri', 'Paid by the worker', 1),
    ('PEMBERI_KERJA', 'Pemberi Kerja', 'Paid by the employer', 2),
    ('APBD_PROVINSI', 'APBD Provinsi', 'Provincial government budget', 3),
    ('APBD_KABKOTA', 'APBD Kabupaten/Kota', 'Regency/city government budget', 4),
    ('APBDES', 'APBDes', 'Village budget', 5),
    ('APBN', 'APBN', 'National budget', 6),
    ('CSR', 'CSR', 'Company CSR scheme', 7),
    ('LAINNYA', 'Lainnya', 'Other', 8)
) as v (sumber_iuran, nama, keterangan, urutan)

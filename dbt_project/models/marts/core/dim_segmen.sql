-- Participant segments (EXTRACTS.md §1). Fixed code list of the extract contract.
select
    {{ monev_key(['segmen']) }} as segmen_key,
    segmen,
    nama,
    keterangan,
    urutan
from (values
    ('PU', 'Penerima Upah', 'Wage earners: JKK, JKM, JHT, JP, JKP', 1),
    ('BPU', 'Bukan Penerima Upah', 'Informal/self-employed: JKK, JKM, optional JHT', 2),
    ('JAKON', 'Jasa Konstruksi', 'Construction projects: JKK, JKM, per project', 3),
    ('PMI', 'Pekerja Migran Indonesia', 'Migrant workers: JKK, JKM, optional JHT', 4)
) as v (segmen, nama, keterangan, urutan)

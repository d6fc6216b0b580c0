-- APBD budget versions; a later version supersedes an earlier one of the same year. Fixed code list of the extract contract.
select
    {{ monev_key(['versi']) }} as versi_anggaran_key,
    versi,
    nama,
    keterangan,
    urutan
from (values
    ('murni', 'APBD Murni', 'Original budget', 1),
    ('pergeseran', 'Pergeseran', 'Reallocation', 2),
    ('perubahan', 'APBD Perubahan', 'Revised budget (APBD-P)', 3)
) as v (versi, nama, keterangan, urutan)

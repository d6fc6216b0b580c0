-- Bridge between Kemendagri and BPS codes where they differ.
-- Staging: rename, type and canonicalise only; no joins.
select
    trim(kode_kemendagri) as kode_kemendagri,
    trim(kode_bps) as kode_bps,
    nama,
    batch_id,
    source_row
from {{ source('referensi', 'wilayah_bps') }}

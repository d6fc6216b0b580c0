-- Account codes (Permendagri 90/2019) used by the budget and realisation lines, with
-- the description of their most recent budget line.
with kode as (
    select kode_rekening, uraian_rekening, tahun, batch_id, source_row
    from {{ ref('stg_sipd__anggaran') }}
    union all
    select kode_rekening, cast(null as text), tahun, batch_id, source_row
    from {{ ref('stg_sipd__realisasi') }}
),

terakhir as (
    select distinct on (kode_rekening)
        kode_rekening,
        uraian_rekening
    from kode
    order by kode_rekening, (uraian_rekening is null), tahun desc, batch_id desc, source_row
)

select
    {{ monev_key(['kode_rekening']) }} as rekening_key,
    kode_rekening,
    uraian_rekening,
    split_part(kode_rekening, '.', 1) as akun,
    split_part(kode_rekening, '.', 1) || '.' || split_part(kode_rekening, '.', 2) as kelompok,
    array_to_string((string_to_array(kode_rekening, '.'))[1:3], '.') as jenis
from terakhir

-- Reconciliation: the national row of every month equals the raw coverage totals of
-- that month (active, registered, new, left). Returns the months that disagree.
with raw as (
    select
        periode,
        sum(tk_aktif) as aktif,
        sum(tk_terdaftar) as terdaftar,
        sum(tk_baru) as baru,
        sum(tk_keluar) as keluar
    from {{ source('bpjs', 'kepesertaan') }}
    group by periode
)

select r.periode, r.aktif, m.peserta_aktif
from raw as r
full outer join (
    select * from {{ ref('mart_monev_wilayah_bulanan') }} where kode_wilayah = '00'
) as m on m.periode = r.periode
where m.peserta_aktif is distinct from r.aktif
    or m.peserta_terdaftar is distinct from r.terdaftar
    or m.peserta_baru is distinct from r.baru
    or m.peserta_keluar is distinct from r.keluar

-- Reconciliation: each province's counts are the sum of its kab/kota rows and the
-- nation is the sum of the provinces, for every count column.
{% set cols = ['peserta_aktif', 'peserta_terdaftar', 'pekerja_rentan_aktif', 'nik_ganda', 'iuran_ganda_rp'] %}
with m as (
    select * from {{ ref('mart_monev_wilayah_bulanan') }}
),

kab as (
    select periode, kode_provinsi as kode_wilayah
        {% for c in cols %}, sum({{ c }}) as {{ c }}{% endfor %}
    from m where tingkat = 'KABKOTA'
    group by 1, 2
),

prov as (
    select periode, '00' as kode_wilayah
        {% for c in cols %}, sum({{ c }}) as {{ c }}{% endfor %}
    from m where tingkat = 'PROVINSI'
    group by 1
),

harapan as (
    select * from kab
    union all
    select * from prov
)

select h.periode, h.kode_wilayah
from harapan as h
inner join m on m.periode = h.periode and m.kode_wilayah = h.kode_wilayah
where {% for c in cols %}m.{{ c }} is distinct from h.{{ c }}{{ " or " if not loop.last }}{% endfor %}

{#- A fixed dimension from a code list: the rows of the seed generated from the source
    specs (monev.transform.code_lists) for one source column, with its surrogate key. The
    five code-list dimensions are this one query, so a code is added in its spec only. -#}
{% macro monev_dim_kode(sumber, kolom, key_name=none, extra=[]) %}
{%- set cols = ['nama', 'keterangan', 'urutan'] + extra -%}
select
    {{ monev_key([kolom]) }} as {{ key_name or kolom ~ '_key' }},
    {{ kolom }},
    {{ cols | join(',\n    ') }}
from (
    select
        kode as {{ kolom }},
        {{ cols | join(',\n        ') }}
    from {{ ref('daftar_kode') }}
    where sumber = '{{ sumber }}' and kolom = '{{ kolom }}'
) as k
{% endmacro %}

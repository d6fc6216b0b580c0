{#- Generic test: every non-null value of the column is a code of the spec's list for
    (sumber, kolom) in the seed daftar_kode, generated from the source specs
    (monev.transform.code_lists) - the lists are written once, in the specs. -#}
{% macro test_in_code_list(model, column_name, sumber, kolom=none) %}
select {{ column_name }} as nilai, count(*) as baris
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select kode from {{ ref('daftar_kode') }}
        where sumber = '{{ sumber }}' and kolom = '{{ kolom or column_name }}'
    )
group by 1
{% endmacro %}

{#- SQL condition on `column`: the months `model_name`'s latest build wrote
    (audit.transform_periode), as literals so the partitions of other months are never
    read; '' (no condition) under var monev_full_tests; 'false' when nothing was built. -#}
{% macro monev_periode_dibangun_terakhir(model_name, column='periode') -%}
    {%- if var('monev_full_tests', false) or not execute -%}{{ return('') }}{%- endif -%}
    {%- set q -%}
        select to_char(periode, 'YYYY-MM-DD') from audit.transform_periode
        where model = '{{ model_name }}'
            and dibangun_pada = (select max(dibangun_pada) from audit.transform_periode
                                 where model = '{{ model_name }}')
        order by 1
    {%- endset -%}
    {%- set bulan = run_query(q).columns[0].values() | list -%}
    {%- if bulan | length == 0 -%}{{ return('false') }}{%- endif -%}
    {%- set literals = [] -%}
    {%- for b in bulan %}{% do literals.append("date '" ~ b ~ "'") %}{% endfor -%}
    {{ return(column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

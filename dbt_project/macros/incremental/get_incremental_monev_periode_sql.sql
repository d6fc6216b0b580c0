{#- Incremental strategy `monev_periode`: replace the months being rebuilt
    (monev_periode_rentan_berubah) - delete them, then insert the new result. Unlike
    `delete+insert`, which deletes only the keys present in the new result, a month
    whose new result is empty is emptied too. -#}
{% macro get_incremental_monev_periode_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set cols = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set bulan = monev_periode_rentan_berubah() -%}
    {%- if bulan is none or bulan | length > 0 %}
    delete from {{ target }}
    {%- if bulan is not none %}
    where periode in ({% for b in bulan %}date '{{ b }}'{{ ", " if not loop.last }}{% endfor %})
    {%- endif %};
    {%- endif %}
    insert into {{ target }} ({{ cols }})
    select {{ cols }} from {{ source }}
{%- endmacro %}

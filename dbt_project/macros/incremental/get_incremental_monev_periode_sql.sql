{#- Incremental strategy `monev_periode`: replace the periods being rebuilt
    (monev_periode_berubah) - delete them, then insert the new result. Unlike
    `delete+insert`, which deletes only the keys present in the new result, a period
    whose new result is empty is emptied too. -#}
{% macro get_incremental_monev_periode_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set cols = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set periode = monev_periode_berubah() -%}
    {%- if periode is none or periode | length > 0 %}
    delete from {{ target }}
    {%- if periode is not none %}
    where {{ monev_kondisi_periode(config.meta_get('monev_per', 'periode'), periode) }}
    {%- endif %};
    {%- endif %}
    insert into {{ target }} ({{ cols }})
    select {{ cols }} from {{ source }}
{%- endmacro %}

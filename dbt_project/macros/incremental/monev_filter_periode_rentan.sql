{#- `where` clause limiting an incremental build to those months (all months otherwise). -#}
{% macro monev_filter_periode_rentan(column='periode') -%}
    {#- unit tests render models without a relation: no `this`, never incremental -#}
    {%- if this is not none and is_incremental() -%}
        {%- set bulan = monev_periode_rentan_berubah() -%}
        {%- if bulan is none -%}
        {%- elif bulan | length == 0 %} where false
        {%- else %} where {{ column }} in ({% for b in bulan %}date '{{ b }}'{{ ", " if not loop.last }}{% endfor %})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

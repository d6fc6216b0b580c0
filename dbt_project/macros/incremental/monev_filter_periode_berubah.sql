{#- `where` clause limiting an incremental build to the periods of monev_periode_berubah
    (no clause on a full build; a unit test overrides monev_periode_berubah). `column`:
    the key column (default the model's key, meta monev_per, 'periode' or 'tahun'). -#}
{% macro monev_filter_periode_berubah(column=none) -%}
    {#- unit tests render models without a relation: no `this`, never incremental -#}
    {%- if this is not none and is_incremental() -%}
        {%- set periode = monev_periode_berubah() -%}
        {%- if periode is none -%}
        {%- elif periode | length == 0 %} where false
        {%- else %} where {{ monev_kondisi_periode(column or config.meta_get('monev_per', 'periode'), periode) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

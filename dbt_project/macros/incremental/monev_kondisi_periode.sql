{#- SQL condition `column in (...)` over periods given as 'YYYY-MM-DD' literals: dates
    for a month key, the years for a yearly key (meta monev_per = 'tahun'). -#}
{% macro monev_kondisi_periode(column, periode) -%}
    {%- if config.meta_get('monev_per', 'periode') == 'tahun' -%}
    {{ column }} in ({% for p in periode %}{{ p[:4] }}{{ ", " if not loop.last }}{% endfor %})
    {%- else -%}
    {{ column }} in ({% for p in periode %}date '{{ p }}'{{ ", " if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}

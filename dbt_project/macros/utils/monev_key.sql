{#- Surrogate key: md5 of the key columns as text, NULL-safe ('' for NULL). -#}
{% macro monev_key(columns) -%}
    md5(concat_ws('|', {%- for c in columns %} coalesce(cast({{ c }} as text), ''){{ "," if not loop.last }}{%- endfor %}))
{%- endmacro %}

{#- Schemas are named exactly as configured (`staging`, `intermediate`, `marts`) in
    every target: dbt's default would prefix the target schema, but `marts` is a public
    interface (MARTS.md). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#- Before any model runs: the marts schema exists and only the BI roles may use it;
    staging and intermediate are never granted to them. -#}
{% macro monev_prepare_access() -%}
    create schema if not exists {{ generate_schema_name('marts', none) }};
    revoke all on schema {{ generate_schema_name('marts', none) }} from public;
    grant usage on schema {{ generate_schema_name('marts', none) }} to monev_bi, monev_analyst
{%- endmacro %}

{#- Data tests on the big participant tables test the months the latest build of a
    model changed, not the whole history (which grows every month): a test configured
    with `where: "__periode_dibangun__"` (or `"__periode_dibangun__:<model>"` to follow
    another model's builds, e.g. for a view) reads only those months. After a full
    refresh every month was built together, so every month is tested. The whole
    history is tested on a schedule: `monev transform --full-tests` (var
    monev_full_tests, DAG full_history_tests) turns the filter off.
    A test configured with `where: "__uji_penuh__"` runs only in that full-history run:
    for rules the quality gate already holds on every batch before it is published.
    dbt renders yml configs without project macros, hence the placeholders resolved here
    (dbt's documented override of get_where_subquery). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == '__uji_penuh__' -%}
        {%- set where = '' if var('monev_full_tests', false) or not execute else 'false' -%}
    {%- elif where and where.startswith('__periode_dibangun__') -%}
        {%- set model_name = where.split(':')[1] if ':' in where else relation.identifier -%}
        {%- set where = monev_periode_dibangun_terakhir(model_name) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

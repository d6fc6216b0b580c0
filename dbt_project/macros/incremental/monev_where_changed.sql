{#- Incremental facts rebuild only the key values (periods, years) whose source rows
    changed since the last build of `this`: a key is rebuilt when its latest batch_id
    or its row count differs from what the fact holds. The ingest replaces a period
    wholesale under a new batch, so a new month or a revision changes exactly that
    period. Usage inside an incremental model (relation = the staging ref):

        select * from {{ ref('stg_x') }} {{ monev_where_changed(ref('stg_x'), 'periode') }}

    The keys are looked up first and inlined as literals, so PostgreSQL prunes
    partitions and uses the period indexes instead of scanning every period (a CTE
    referenced twice would be materialised whole). In a dbt unit test `this` is a
    fixture, so the same comparison is inlined as a subquery instead.
-#}
{% macro monev_where_changed(relation, key) -%}
    {%- if is_incremental() -%}
        {%- if model.resource_type == 'unit_test' or not execute %}
    where {{ key }} in ({{ monev_changed_keys_sql(relation, key) }})
        {%- else -%}
            {%- set keys = run_query(monev_changed_keys_sql(relation, 'cast(' ~ key ~ ' as text)')).columns[0].values() | list -%}
            {%- if keys | length == 0 %}
    where false
            {%- else %}
    where {{ key }} in ({% for k in keys %}'{{ k }}'{{ ", " if not loop.last }}{% endfor %})
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

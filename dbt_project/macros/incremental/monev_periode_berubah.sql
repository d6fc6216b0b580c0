{#- Periods to rebuild, as 'YYYY-MM-DD' (a year as its 1 January); none = every period
    (first build or full refresh). The model's source and key come from its meta
    (monev_sumber, monev_per; macros/incremental/monev_terbit_sql.sql). Looked up first
    and inlined, so PostgreSQL prunes the other partitions at plan time. -#}
{% macro monev_periode_berubah() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if not is_incremental() -%}{{ return(none) }}{%- endif -%}
    {%- set q -%}
        select to_char(t.periode, 'YYYY-MM-DD')
        from ({{ monev_terbit_sql(config.meta_get('monev_sumber'), config.meta_get('monev_per', 'periode')) }}) as t
        where not exists (
            select 1 from audit.transform_periode as l
            where l.model = '{{ this.identifier }}'
                and l.periode = t.periode and l.batch_id = t.batch_id
        )
        order by 1
    {%- endset -%}
    {{ return(run_query(q).columns[0].values() | list) }}
{%- endmacro %}

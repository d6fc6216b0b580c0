{#- Months to rebuild, as 'YYYY-MM-DD' literals; none = every month (first build or
    full refresh). Looked up first and inlined, so PostgreSQL prunes the other
    partitions at plan time. -#}
{% macro monev_periode_rentan_berubah() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if not is_incremental() -%}{{ return(none) }}{%- endif -%}
    {%- set q -%}
        select to_char(t.periode, 'YYYY-MM-DD')
        from ({{ monev_rentan_terbit_sql() }}) as t
        where not exists (
            select 1 from audit.transform_periode as l
            where l.model = '{{ this.identifier }}'
                and l.periode = t.periode and l.batch_id = t.batch_id
        )
        order by 1
    {%- endset -%}
    {{ return(run_query(q).columns[0].values() | list) }}
{%- endmacro %}

{#- Indexes for the dashboard queries (national month, a region's trend, ranking of a
    province's kab/kota, a province's double-funding list) on every ready-made mart that
    has the columns. Unnamed (PostgreSQL picks a free name): while the post-hook runs,
    the replaced table still exists as __dbt_backup with its indexes, so a fixed name
    would be taken and then vanish with the backup. The existence check keeps
    incremental marts from collecting duplicates. -#}
{% macro monev_mart_indexes(cols) -%}
    {%- set wanted = [] -%}
    {%- if 'periode' in cols and 'kode_wilayah' in cols %}{% do wanted.append('kode_wilayah, periode') %}{% endif -%}
    {%- if 'periode' in cols and 'kode_provinsi' in cols %}{% do wanted.append('kode_provinsi, periode') %}{% endif -%}
    {%- if 'periode' in cols %}{% do wanted.append('periode') %}{% endif -%}
    {%- for index_cols in wanted %}
    do $$
    begin
        if not exists (
            select 1 from pg_indexes
            where schemaname = '{{ this.schema }}' and tablename = '{{ this.identifier }}'
              and indexdef like '%USING btree ({{ index_cols }})'
        ) then
            create index on {{ this }} ({{ index_cols }});
        end if;
    end
    $$;
    {%- endfor %}
    analyze {{ this }};
{%- endmacro %}

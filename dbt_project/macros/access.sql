{#- Grants and row-level security for the marts. Applied as a post-hook on every
    marts model (dbt_project.yml), because a table rebuild replaces the relation and
    with it every grant and policy; re-applying after each build keeps them in force.

    model config `meta`:
      monev_bi (bool, default true): grant SELECT to monev_bi (false for the
        pseudonymised participant fact, which only monev_analyst reads);
      monev_rls (default true): true puts the province policy on the table when it
        has a kode_provinsi column (NULL kode_provinsi = the national row, visible to
        all); 'nasional' lets only national logins read any row — for marts whose
        rows carry no province but whose free text or JSON (gate evidence, messages)
        can hold any region's figures; false puts no policy.
-#}
{#- Schema USAGE is granted once in on-run-start (monev_prepare_access): concurrent
    GRANTs on one schema from parallel threads fail with "tuple concurrently updated". -#}
{% macro monev_marts_access() -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- set grant_bi = meta.get('monev_bi', true) -%}
    {%- set want_rls = meta.get('monev_rls', true) -%}
    grant select on {{ this }} to monev_analyst;
    {% if grant_bi -%}
    grant select on {{ this }} to monev_bi;
    {%- else -%}
    revoke all on {{ this }} from monev_bi;
    {%- endif %}
    {% if execute and want_rls and config.get('materialized') != 'view' -%}
        {%- set cols = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if this.identifier.startswith('mart_') %}
    {{ monev_mart_indexes(cols) }}
        {%- endif %}
        {%- if want_rls == 'nasional' %}
    alter table {{ this }} enable row level security;
    drop policy if exists monev_provinsi on {{ this }};
    create policy monev_provinsi on {{ this }} for select
        using ((select access.akses_nasional(current_user)));
        {%- elif 'kode_provinsi' in cols %}
    alter table {{ this }} enable row level security;
    drop policy if exists monev_provinsi on {{ this }};
    create policy monev_provinsi on {{ this }} for select
        using ({{ monev_baris_terlihat('kode_provinsi') }});
        {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- Before any model runs: the marts schema exists and only the BI roles may use it;
    staging and intermediate are never granted to them. -#}
{% macro monev_prepare_access() -%}
    create schema if not exists {{ generate_schema_name('marts', none) }};
    revoke all on schema {{ generate_schema_name('marts', none) }} from public;
    grant usage on schema {{ generate_schema_name('marts', none) }} to monev_bi, monev_analyst
{%- endmacro %}

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

{#- The row-level rule, in one place: a row is visible when it is national
    (kode_provinsi NULL), the user is national, or it is the user's province. Used by
    the policies above and, inside its definition, by the participant-fact view (a view
    cannot carry a policy). -#}
{% macro monev_baris_terlihat(kolom) -%}
    {{ kolom }} is null
            or (select access.akses_nasional(current_user))
            or {{ kolom }} = (select access.provinsi_pengguna(current_user))
{%- endmacro %}

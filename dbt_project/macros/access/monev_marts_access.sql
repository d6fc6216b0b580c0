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

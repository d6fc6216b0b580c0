{#- Per-month incremental models over the participant list (peserta_rentan, 5-10
    million rows a month): each build re-reads only the months whose published batch
    is not the one the model last built the month from (audit.transform_periode, kept
    by the model's post-hook monev_catat_periode_dibangun), replaces exactly those months
    (incremental_strategy='monev_periode', macros/strategi_monev_periode.sql) and
    records them. A month whose new result is empty (a revision without any double
    funding left) is therefore still replaced, and recorded, so it is not re-read on
    every build either.

    The calling model declares `-- depends_on: {{ ref('stg_audit__load_batches') }}`
    and, in its config:
        materialized='incremental', incremental_strategy='monev_periode',
        post_hook="{{ monev_catat_periode_dibangun() }}"
-#}

{#- The month's published participant list: (periode, batch_id), one row a month. -#}
{% macro monev_rentan_terbit_sql() -%}
    select distinct on (b.periode) b.periode, b.batch_id
    from {{ ref('stg_audit__load_batches') }} as b
    where b.source = 'peserta_rentan'
        and b.status = 'loaded'
        and b.periode is not null
    order by b.periode, b.batch_id desc
{%- endmacro %}

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

{#- `where` clause limiting an incremental build to those months (all months otherwise). -#}
{% macro monev_filter_periode_rentan(column='periode') -%}
    {#- unit tests render models without a relation: no `this`, never incremental -#}
    {%- if this is not none and is_incremental() -%}
        {%- set bulan = monev_periode_rentan_berubah() -%}
        {%- if bulan is none -%}
        {%- elif bulan | length == 0 %} where false
        {%- else %} where {{ column }} in ({% for b in bulan %}date '{{ b }}'{{ ", " if not loop.last }}{% endfor %})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: record every published month as built from its current batch. Months
    whose batch changed (or every month, on a first build or a full refresh) get this
    build's time; months no longer published are forgotten. Runs inside the model's
    transaction, so the record and the rows commit together. It records the batches in
    force when it runs, which are the ones the model read: no batch is published while a
    build runs (a publish waits for the build lock, records.DBT_BUILD_LOCK). -#}
{% macro monev_catat_periode_dibangun() -%}
    {%- set full = flags.FULL_REFRESH or not is_incremental() -%}
    delete from audit.transform_periode as l
    where l.model = '{{ this.identifier }}'
        and ({{ 'true' if full else 'false' }} or not exists (
            select 1 from ({{ monev_rentan_terbit_sql() }}) as t
            where t.periode = l.periode and t.batch_id = l.batch_id
        ));
    insert into audit.transform_periode (model, periode, batch_id, dibangun_pada)
    select '{{ this.identifier }}', t.periode, t.batch_id, now()
    from ({{ monev_rentan_terbit_sql() }}) as t
    where not exists (
        select 1 from audit.transform_periode as l
        where l.model = '{{ this.identifier }}' and l.periode = t.periode
    )
{%- endmacro %}

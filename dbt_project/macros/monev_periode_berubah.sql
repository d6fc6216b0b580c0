{#- Months of the participant list (peserta_rentan) to (re)build in an incremental model:
    those whose published batch (audit.load_batches, status loaded) is not yet the
    batch recorded in {{ this }}.batch_id. The ingest replaces a month wholesale under a
    new batch, so a new month or a revision - and only that - is picked up. Returned as
    literal dates so PostgreSQL prunes the other partitions at plan time; none = every
    month (the table predates the batch_id column).
    The calling model must declare `-- depends_on: {{ ref('stg_audit__load_batches') }}`.
-#}
{% macro monev_periode_rentan_berubah() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {#- a table built before batch_id was recorded: rebuild every month once -#}
    {%- set cols = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'batch_id' not in cols -%}{{ return(none) }}{%- endif -%}
    {%- set q -%}
        select distinct to_char(to_date(b.period_key, 'YYYY-MM'), 'YYYY-MM-DD')
        from {{ ref('stg_audit__load_batches') }} as b
        where b.source = 'peserta_rentan'
            and b.status = 'loaded'
            and b.period_key ~ '^\d{4}-\d{2}$'
            and not exists (
                select 1 from {{ this }} as t
                where t.periode = to_date(b.period_key, 'YYYY-MM') and t.batch_id = b.batch_id
            )
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

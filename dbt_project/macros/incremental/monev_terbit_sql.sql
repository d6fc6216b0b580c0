{#- The one incremental mechanism of the project. An incremental model rebuilds only the
    periods (months, or years for a yearly source) whose published batch of its source
    is not the one the model last built the period from - recorded in
    audit.transform_periode by the model's post-hook monev_catat_periode_dibangun - and
    replaces exactly those periods (incremental_strategy='monev_periode',
    get_incremental_monev_periode_sql), so a period whose new result is empty is still
    replaced. Finding those periods reads audit.load_batches and audit.transform_periode
    only (a row per delivery and per period), never the data: a new national month costs
    the same whatever the history.

    The calling model declares `-- depends_on: {{ ref('stg_audit__load_batches') }}`
    and, in its config:
        materialized='incremental', incremental_strategy='monev_periode',
        meta={'monev_sumber': '<source>'}  (+ 'monev_per': 'tahun' for a yearly key),
        post_hook="{{ monev_catat_periode_dibangun() }}"
    and filters its source rows with {{ monev_filter_periode_berubah() }}.
-#}

{#- The published batches of `sumber` per period: (periode, batch_id). per='periode': the
    month; per='tahun': the year as its 1 January, with the latest of its loaded
    batches (a budget year has one per version; any new one has a higher batch_id). -#}
{% macro monev_terbit_sql(sumber, per='periode') -%}
    select {{ 'b.periode' if per == 'periode' else 'make_date(b.tahun, 1, 1)' }} as periode,
        max(b.batch_id) as batch_id
    from {{ ref('stg_audit__load_batches') }} as b
    where b.source = '{{ sumber }}'
        and b.status = 'loaded'
        and b.{{ per }} is not null
    group by 1
{%- endmacro %}

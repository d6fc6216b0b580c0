{#- Per-month incremental models over the participant list (peserta_rentan, 5-10
    million rows a month): each build re-reads only the months whose published batch
    is not the one the model last built the month from (audit.transform_periode, kept
    by the model's post-hook monev_catat_periode_dibangun), replaces exactly those months
    (incremental_strategy='monev_periode', get_incremental_monev_periode_sql) and
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

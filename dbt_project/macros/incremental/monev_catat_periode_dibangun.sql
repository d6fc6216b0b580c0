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

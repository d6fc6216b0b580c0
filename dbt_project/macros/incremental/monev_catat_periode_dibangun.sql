{#- Post-hook: record every published period of the model's source as built from its
    current batch. Periods whose batch changed (or every period, on a first build or a
    full refresh) get this build's time; periods no longer published are forgotten. Runs
    inside the model's transaction, so the record and the rows commit together. It
    records the batches in force when it runs, which are the ones the model read: no
    batch is published while a build runs (a publish waits for the build lock,
    records.DBT_BUILD_LOCK). -#}
{% macro monev_catat_periode_dibangun() -%}
    {%- set full = flags.FULL_REFRESH or not is_incremental() -%}
    {%- set terbit = monev_terbit_sql(config.meta_get('monev_sumber'), config.meta_get('monev_per', 'periode')) -%}
    delete from audit.transform_periode as l
    where l.model = '{{ this.identifier }}'
        and ({{ 'true' if full else 'false' }} or not exists (
            select 1 from ({{ terbit }}) as t
            where t.periode = l.periode and t.batch_id = l.batch_id
        ));
    insert into audit.transform_periode (model, periode, batch_id, dibangun_pada)
    select '{{ this.identifier }}', t.periode, t.batch_id, now()
    from ({{ terbit }}) as t
    where not exists (
        select 1 from audit.transform_periode as l
        where l.model = '{{ this.identifier }}' and l.periode = t.periode
    )
{%- endmacro %}

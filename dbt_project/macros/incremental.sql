{#- The key values (periods, years) whose source rows changed since the last build of
    `this`: a key is rebuilt when its latest batch_id or its row count differs from
    what the fact holds. The ingest replaces a period wholesale with a new batch, so a
    new month or a revision changes max(batch_id) of exactly that period.
    Use inside an incremental model:  where periode in ({{ monev_changed_keys('src', 'periode') }})
-#}
{% macro monev_changed_keys(source_cte, key) -%}
    select s.k
    from (select {{ key }} as k, max(batch_id) as b, count(*) as n
          from {{ source_cte }} group by {{ key }}) as s
    left join (select {{ key }} as k, max(batch_id) as b, count(*) as n
               from {{ this }} group by {{ key }}) as t
        on t.k = s.k
    where t.b is distinct from s.b or t.n is distinct from s.n
{%- endmacro %}

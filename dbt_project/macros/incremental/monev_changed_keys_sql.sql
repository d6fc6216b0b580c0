{#- The key values to rebuild (monev_where_changed): latest batch_id or row count
    differs between `relation` and `this`. -#}
{% macro monev_changed_keys_sql(relation, key) -%}
    select s.k
    from (select {{ key }} as k, max(batch_id) as b, count(*) as n
          from {{ relation }} group by {{ key }}) as s
    left join (select {{ key }} as k, max(batch_id) as b, count(*) as n
               from {{ this }} group by {{ key }}) as t
        on t.k = s.k
    where t.b is distinct from s.b or t.n is distinct from s.n
{%- endmacro %}

{#- The region remap, written once: every model that maps a delivered region code to the
    region it counts for today joins through this macro (int_wilayah__kode_terkini:
    current codes to themselves, old codes followed through their changes). The joined
    relation `alias` gives kode_wilayah, kode_provinsi and tingkat.

    A code outside the map keeps a NULL region - which the not_null tests of the
    caller's region columns fail - instead of being guessed into a province. The one
    deliberate exception is an argument, visible at the call: bila_tak_dikenal='kode_dikirim'
    keeps the delivered code as kode_wilayah (province and tingkat stay NULL), for codes
    that are legitimately not regions (a village paying APBDes).

        select d.*, terkini.kode_wilayah, terkini.kode_provinsi
        from {{ ref('stg_x') }} as d
        {{ monev_kode_terkini('d.kode_wilayah') }}

    peta: the map relation, when the caller has shaped it for its planner (a CTE over
    int_wilayah__kode_terkini with the same columns); default the model itself.
-#}
{% macro monev_kode_terkini(kode, alias='terkini', bila_tak_dikenal='null', peta=none) -%}
{%- if bila_tak_dikenal not in ('null', 'kode_dikirim') -%}
    {{ exceptions.raise_compiler_error("monev_kode_terkini: bila_tak_dikenal must be 'null' or 'kode_dikirim', not " ~ bila_tak_dikenal) }}
{%- endif -%}
{%- set peta = peta or ref('int_wilayah__kode_terkini') -%}
{%- if bila_tak_dikenal == 'null' -%}
left join {{ peta }} as {{ alias }} on {{ alias }}.kode_asal = {{ kode }}
{%- else -%}
left join {{ peta }} as {{ alias }}__peta on {{ alias }}__peta.kode_asal = {{ kode }}
cross join lateral (
    select
        coalesce({{ alias }}__peta.kode_wilayah, {{ kode }}) as kode_wilayah,
        {{ alias }}__peta.kode_provinsi,
        {{ alias }}__peta.tingkat
) as {{ alias }}
{%- endif -%}
{%- endmacro %}

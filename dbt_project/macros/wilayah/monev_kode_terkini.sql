{#- The region remap, written once: joins the region a delivered code counts for today
    (int_wilayah__kode_terkini: current codes to themselves, old codes followed through
    their changes). A left join, so a code outside the map stays visible with a NULL
    region - which the not_null tests of the caller's region columns fail - instead of
    being guessed into a province. The star fact and the Monev mart's kab/kota sums both
    map kepesertaan through it, so a delivered row counts for the same region in both.

        select d.*, terkini.kode_wilayah, terkini.kode_provinsi
        from {{ ref('stg_x') }} as d
        {{ monev_kode_terkini('d.kode_wilayah') }}
-#}
{% macro monev_kode_terkini(kode, alias='terkini') -%}
left join {{ ref('int_wilayah__kode_terkini') }} as {{ alias }} on {{ alias }}.kode_asal = {{ kode }}
{%- endmacro %}

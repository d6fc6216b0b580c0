{#- The roll-up of DOMAIN.md, in one place: each region of `frame` (periode, tingkat,
    kode_wilayah) gets the detail rows it is made of - a kab/kota its own, a province
    those of its kab/kota (and its own government's, for detail keyed by pemda), the
    nation all of them. Returns (periode, kode_wilayah, <columns>) rows to aggregate.
    Three equi-joins rather than one OR-join, which would compare every pair of rows.

        {{ monev_gulung_wilayah('frame', 'pemda', ['ukuran', 'nilai'], kode='kode_pemda') }}

    kode: the detail's own region column; kode_provinsi: its province column;
    waktu: the time column both share (periode, or tahun for yearly figures). -#}
{% macro monev_gulung_wilayah(frame, detail, columns, kode='kode_wilayah', kode_provinsi='kode_provinsi', waktu='periode') -%}
    {%- set cols -%}{% for c in columns %}d.{{ c }}{{ ", " if not loop.last }}{% endfor %}{%- endset -%}
    select f.{{ waktu }}, f.kode_wilayah, {{ cols }}
    from {{ frame }} as f
    inner join {{ detail }} as d on d.{{ waktu }} = f.{{ waktu }} and d.{{ kode }} = f.kode_wilayah
    where f.tingkat = 'KABKOTA'
    union all
    select f.{{ waktu }}, f.kode_wilayah, {{ cols }}
    from {{ frame }} as f
    inner join {{ detail }} as d on d.{{ waktu }} = f.{{ waktu }} and d.{{ kode_provinsi }} = f.kode_wilayah
    where f.tingkat = 'PROVINSI'
    union all
    select f.{{ waktu }}, f.kode_wilayah, {{ cols }}
    from {{ frame }} as f
    inner join {{ detail }} as d on d.{{ waktu }} = f.{{ waktu }}
    where f.tingkat = 'NASIONAL'
{%- endmacro %}

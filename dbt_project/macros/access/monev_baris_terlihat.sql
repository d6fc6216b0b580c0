{#- The row-level rule, in one place: a row is visible when it is national
    (kode_provinsi NULL), the user is national, or it is the user's province. Used by
    the policies of monev_marts_access and, inside its definition, by the participant-fact view (a view
    cannot carry a policy). -#}
{% macro monev_baris_terlihat(kolom) -%}
    {{ kolom }} is null
            or (select access.akses_nasional(current_user))
            or {{ kolom }} = (select access.provinsi_pengguna(current_user))
{%- endmacro %}

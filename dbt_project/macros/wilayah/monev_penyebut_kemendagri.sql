{#-
  Denominator rows (penduduk_bekerja, potensi_peserta) with their Kemendagri code - the
  one place of the BPS rule of EXTRACTS.md §5: a row marked skema_kode = 'BPS' gives its
  code in the BPS scheme and is translated through wilayah_bps; a BPS code absent from
  the bridge is the same code in both schemes; a KEMENDAGRI row is never translated,
  even when its code is also some region's kode_bps (e.g. Kemendagri 94.03 Paniai vs
  BPS 94.03 Jayapura). Codes are compared in the stored canonical form (PP / PP.KK).
-#}
{% macro monev_penyebut_kemendagri(staging_model, measures) -%}
select
    p.tahun,
    case
        when p.skema_kode = 'BPS' then coalesce(b.kode_kemendagri, p.kode_wilayah)
        else p.kode_wilayah
    end as kode_wilayah,
    p.kode_wilayah as kode_wilayah_dikirim,
    p.skema_kode,
    {%- for m in measures %}
    p.{{ m }},
    {%- endfor %}
    p.sumber,
    p.batch_id,
    p.source_row
from {{ ref(staging_model) }} as p
left join {{ ref('stg_referensi__wilayah_bps') }} as b
    on p.skema_kode = 'BPS' and b.kode_bps = p.kode_wilayah
{%- endmacro %}

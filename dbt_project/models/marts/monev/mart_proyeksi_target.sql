-- Whether each region will reach the year's target at its current pace: one row per
-- (periode, kode_wilayah) of mart_monev_wilayah_bulanan. The rule (stated in the yml
-- and in the reports' methodology):
--   pace achieved = (coverage at M - coverage at the earliest month with coverage among
--                    M-5 .. M) / the months between them, pp a month;
--   pace needed   = (the year's target - coverage at M) / the months left in the year;
--   on track  : coverage at M >= target, or pace achieved >= pace needed;
--   at risk   : pace achieved >= {{ var('ambang_berisiko', 0.5) }} x pace needed;
--   off track : otherwise (stalled or falling coverage, or December below target).
-- No status without a target, without coverage at M, or with fewer than two months of
-- coverage in the window (no pace can be measured).
-- A table over the region-month mart (a few hundred rows a month), like
-- mart_capaian_target: a month's build reads the aggregated mart, never the
-- participant-level facts, so its cost does not grow with the participant history.
with bulanan as (
    select
        periode,
        tingkat,
        kode_wilayah,
        nama_wilayah,
        kode_provinsi,
        cakupan_persen,
        target_persen
    from {{ ref('mart_monev_wilayah_bulanan') }}
),

jendela as (
    -- the months of coverage the pace rests on: M-5 .. M, those with coverage only
    select
        m.periode,
        m.kode_wilayah,
        count(j.periode)::int as bulan_data,
        min(j.periode) as periode_awal_laju
    from bulanan as m
    left join bulanan as j
        on j.kode_wilayah = m.kode_wilayah
        and j.periode between (m.periode - interval '5 months')::date and m.periode
        and j.cakupan_persen is not null
    group by m.periode, m.kode_wilayah
),

angka as (
    select
        m.periode,
        m.tingkat,
        m.kode_wilayah,
        m.nama_wilayah,
        m.kode_provinsi,
        extract(year from m.periode)::int as tahun_target,
        m.target_persen,
        m.cakupan_persen,
        j.periode_awal_laju,
        a.cakupan_persen as cakupan_awal_persen,
        j.bulan_data,
        ((extract(year from m.periode) - extract(year from j.periode_awal_laju)) * 12
            + extract(month from m.periode) - extract(month from j.periode_awal_laju))::int
            as selang_bulan,
        (12 - extract(month from m.periode))::int as sisa_bulan
    from bulanan as m
    inner join jendela as j on j.periode = m.periode and j.kode_wilayah = m.kode_wilayah
    left join bulanan as a on a.kode_wilayah = m.kode_wilayah and a.periode = j.periode_awal_laju
),

laju as (
    select
        a.*,
        case when a.bulan_data >= 2 and a.cakupan_persen is not null
            then (a.cakupan_persen - a.cakupan_awal_persen) / a.selang_bulan end as laju_dicapai_pp,
        case when a.sisa_bulan > 0
            then (a.target_persen - a.cakupan_persen) / a.sisa_bulan end as laju_dibutuhkan_pp
    from angka as a
),

status as (
    select
        l.*,
        case
            when l.target_persen is null or l.cakupan_persen is null then null
            when l.cakupan_persen >= l.target_persen then 'on track'
            when l.sisa_bulan = 0 then 'off track'
            when l.laju_dicapai_pp is null then null
            when l.laju_dicapai_pp >= l.laju_dibutuhkan_pp then 'on track'
            when l.laju_dicapai_pp >= {{ var('ambang_berisiko', 0.5) }} * l.laju_dibutuhkan_pp
                then 'at risk'
            else 'off track'
        end as status
    from laju as l
)

select
    s.periode,
    s.tingkat,
    s.kode_wilayah,
    s.nama_wilayah,
    s.kode_provinsi,
    'KEMENDAGRI_UCJ'::text as sumber_target,
    s.tahun_target,
    trim_scale(s.target_persen) as target_persen,
    trim_scale(s.cakupan_persen) as cakupan_persen,
    s.periode_awal_laju,
    trim_scale(s.cakupan_awal_persen) as cakupan_awal_persen,
    s.bulan_data,
    s.selang_bulan,
    s.sisa_bulan,
    trim_scale(s.laju_dicapai_pp) as laju_dicapai_pp,
    trim_scale(s.laju_dibutuhkan_pp) as laju_dibutuhkan_pp,
    -- December has no month left: the projection is the month's coverage (the formula
    -- with sisa_bulan = 0), whether or not a pace could be measured
    case
        when s.sisa_bulan = 0 then trim_scale(s.cakupan_persen)
        when s.laju_dicapai_pp is not null
            then trim_scale(s.cakupan_persen + s.laju_dicapai_pp * s.sisa_bulan)
    end as proyeksi_akhir_tahun_persen,
    s.status,
    -- the words are dbt vars (dbt_project.yml), kept there once; the reports read them too
    case s.status
        {%- for status, label in var('label_status').items() %}
        when '{{ status }}' then '{{ label }}'
        {%- endfor %}
        else '{{ var('label_tanpa_status') }}'
    end as label_status,
    case
        when s.target_persen is null then 'Tanpa target tahun ' || s.tahun_target
        when s.cakupan_persen is null then 'Tanpa cakupan bulan ini'
        when s.status is null then 'Kurang dari dua bulan data cakupan'
    end as alasan_tanpa_status
from status as s

-- Data health per report month and source: what the report's section 9 prints, and
-- what an operator asks before a month's report goes out. The sources are the ones a
-- month's report needs (audit.source_catalog, i.e. monev.catalog); the rules are
-- monev.catalog.Source's, as the warehouse's functions of them (migration V019): a
-- delivery counts for month M when it is of M or earlier (audit.delivery_up_to) and
-- covers M when it is of M itself (audit.delivery_covers: a budget covers every month
-- of its year).
with katalog as (
    select source, period, load_rank
    from {{ source('katalog', 'source_catalog') }}
    where report
),

sumber as (
    select * from {{ ref('mart_sumber_data') }}
),

bulan as (
    -- every month from the first monthly delivery to the last, gaps included
    select generate_series(min(periode), max(periode), interval '1 month')::date as periode
    from sumber
),

bulan_sumber as (
    select b.periode, to_char(b.periode, 'YYYY-MM') as bulan_key, k.*
    from bulan as b
    cross join katalog as k
),

berlaku as (
    -- the latest delivery in force up to the month, per source
    select distinct on (bs.periode, bs.source)
        bs.periode,
        bs.source,
        s.batch_id,
        s.period_key,
        s.periode as periode_terakhir,
        s.file_name,
        s.jumlah_peringatan
    from bulan_sumber as bs
    inner join sumber as s
        on s.source = bs.source
        and s.status = 'loaded'
        and audit.delivery_up_to(bs.period, s.period_key, bs.bulan_key)
    order by bs.periode, bs.source, s.period_key desc, s.loaded_at desc, s.batch_id desc
),

galat as (
    -- the month's refused deliveries (a budget's: of the month's year)
    select
        bs.periode,
        bs.source,
        string_agg(m.file_name || ' (' || coalesce(m.alasan_utama, m.status) || ')', '; '
                   order by m.batch_id) as galat
    from bulan_sumber as bs
    inner join {{ ref('mart_kesehatan_muatan') }} as m
        on m.source = bs.source
        and m.status in ('rejected', 'failed')
        and audit.delivery_covers(bs.period, m.period_key, bs.bulan_key)
    group by bs.periode, bs.source
)

select
    bs.periode,
    bs.source,
    -- the report lists the monthly sources first, then the budget, each in load order
    (row_number() over (
        partition by bs.periode order by bs.period <> 'month', bs.load_rank
    ))::integer as urutan,
    bs.period = 'month' as bulanan,
    case
        when c.batch_id is null then 'missing'
        when audit.delivery_covers(bs.period, c.period_key, bs.bulan_key) then 'loaded'
        else 'late'
    end as status_muatan,
    c.batch_id,
    c.period_key,
    c.periode_terakhir,
    c.file_name,
    ((extract(year from bs.periode) - extract(year from c.periode_terakhir)) * 12
     + extract(month from bs.periode) - extract(month from c.periode_terakhir))::integer
        as bulan_tertinggal,
    -- the gate's count for the batch, else the warnings recorded with the delivery
    case when c.batch_id is not null
        then coalesce(m.gate_peringatan, c.jumlah_peringatan, 0)
    end::integer as jumlah_peringatan,
    g.galat
from bulan_sumber as bs
left join berlaku as c on c.periode = bs.periode and c.source = bs.source
left join {{ ref('mart_kesehatan_muatan') }} as m on m.batch_id = c.batch_id
left join galat as g on g.periode = bs.periode and g.source = bs.source

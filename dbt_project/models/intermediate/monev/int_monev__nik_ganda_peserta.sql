{{ config(
    materialized='incremental',
    incremental_strategy='monev_periode',
    meta={'monev_sumber': 'peserta_rentan'},
    on_schema_change='sync_all_columns',
    post_hook="{{ monev_catat_periode_dibangun() }}",
) }}
-- depends_on: {{ ref('stg_audit__load_batches') }}
-- Double funding: participants billed in a month by more than one payer, a payer
-- being the pair (sumber_iuran, kode_pemda_pembayar). Every billed row counts,
-- whatever its status. The first payment is the earliest tanggal_mulai, then the
-- lowest kode_pemda_pembayar with an empty code last (byte order, so '32' < '32.01'
-- on every server); the participant is counted in the domicile region of that
-- payment and iuran_ganda_rp is what the other payments cost.
-- Incremental by month (macros/incremental/monev_filter_periode_berubah.sql): only a newly published month
-- or revision of the participant list is re-read; the marts read the small result.
with pembayaran as not materialized (
    select
        periode,
        peserta_id,
        kode_wilayah_domisili,
        sumber_iuran,
        nullif(trim(kode_pemda_pembayar), '') as kode_pemda_pembayar,
        tanggal_mulai,
        iuran_rp,
        batch_id
    from {{ ref('stg_bpjs__peserta_rentan') }}
    {{ monev_filter_periode_berubah() }}
),

kandidat as (
    -- Someone billed once is not double funded: first the participants with more than
    -- one row, grouped by an 8-byte hash of the 64-character id - a month's hash
    -- aggregate then fits in memory (grouping the ids themselves spilled to disk, 3x
    -- slower on a 6 M-row month). Equal ids have equal hashes, so nobody is missed; a
    -- collision only adds a candidate that the exact grouping below leaves out.
    select periode, hashtextextended(peserta_id, 0) as h
    from pembayaran
    group by 1, 2
    having count(*) > 1
),

pembayaran_kandidat as (
    select p.*
    from pembayaran as p
    inner join kandidat as k on k.periode = p.periode and k.h = hashtextextended(p.peserta_id, 0)
),

ganda as (
    select periode, peserta_id
    from pembayaran_kandidat
    group by periode, peserta_id
    -- "more than one distinct payer" as min <> max (a hash aggregate, where
    -- count(distinct) would sort)
    having min(sumber_iuran || '|' || coalesce(kode_pemda_pembayar, ''))
        <> max(sumber_iuran || '|' || coalesce(kode_pemda_pembayar, ''))
),

berurut as (
    select
        p.*,
        row_number() over (
            partition by p.periode, p.peserta_id
            order by p.tanggal_mulai, p.kode_pemda_pembayar collate "C" nulls last, p.sumber_iuran collate "C"
        ) as urutan
    from pembayaran_kandidat as p
    inner join ganda as g on g.periode = p.periode and g.peserta_id = p.peserta_id
),

peserta as (
    select
        periode,
        peserta_id,
        count(distinct (sumber_iuran, coalesce(kode_pemda_pembayar, '')))::int as jumlah_pembayar,
        count(*)::int as jumlah_pembayaran,
        string_agg(sumber_iuran || coalesce(':' || kode_pemda_pembayar, ''), ', ' order by urutan) as pembayar,
        max(kode_wilayah_domisili) filter (where urutan = 1) as kode_wilayah_domisili_asal,
        max(sumber_iuran) filter (where urutan = 1) as sumber_iuran_pertama,
        max(kode_pemda_pembayar) filter (where urutan = 1) as kode_pemda_pembayar_pertama,
        min(tanggal_mulai) as tanggal_mulai_pertama,
        sum(iuran_rp)::numeric as iuran_total_rp,
        coalesce(sum(iuran_rp) filter (where urutan > 1), 0)::numeric as iuran_ganda_rp,
        max(batch_id) as batch_id
    from berurut
    group by periode, peserta_id
)

select
    p.periode,
    p.peserta_id,
    p.jumlah_pembayar,
    p.jumlah_pembayaran,
    p.pembayar,
    p.sumber_iuran_pertama,
    p.kode_pemda_pembayar_pertama,
    p.tanggal_mulai_pertama,
    terkini.kode_wilayah as kode_wilayah_domisili,
    terkini.kode_provinsi,
    p.iuran_total_rp,
    p.iuran_ganda_rp,
    p.batch_id
from peserta as p
{{ monev_kode_terkini('p.kode_wilayah_domisili_asal') }}

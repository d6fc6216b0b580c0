-- Every delivered file the pipeline was asked to ingest (audit.load_batches), as is:
-- mart_sumber_data lists the batches behind the marts, superseded ones included.
select
    batch_id,
    lower(trim(source)) as source,
    period_key,
    -- the period as a date (monthly sources) and a year (monthly and budget), derived
    -- here once for every model that reads the audit
    case
        when period_key ~ '^\d{4}-\d{2}$' then to_date(period_key, 'YYYY-MM')
    end as periode,
    case
        when period_key ~ '^\d{4}' then left(period_key, 4)::int
    end as tahun,
    file_name,
    sha256,
    bytes,
    revision,
    rows,
    lower(status) as status,
    reasons,
    warnings,
    kept_path,
    superseded_by,
    started_at,
    parsed_at,
    staged_at,
    validated_at,
    published_at,
    finished_at
from {{ source('audit', 'load_batches') }}

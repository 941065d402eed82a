-- One row per NIK: a resident listed twice (two regions' files, or twice in one) keeps the newest record.
with persons as (
    select * from {{ ref('stg_dukcapil__persons') }}
    where nik is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by nik
            order by updated_at desc nulls last, period desc, _delivery_id desc, _row_number
        ) as record_rank,
        count(*) over (partition by nik) as records_delivered,
    from persons
)

select * exclude (record_rank)
from ranked
where record_rank = 1

-- One row per DTKS person id (IDDTKS): the newest period's record wins if a person id repeats.
with persons as (
    select * from {{ ref('stg_dtks__persons') }}
    where dtks_person_id is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by dtks_person_id
            order by period desc, _delivery_id desc, _row_number
        ) as record_rank,
    from persons
)

select * exclude (record_rank)
from ranked
where record_rank = 1

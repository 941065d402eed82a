-- One row per Regsosek family id (the newest period's record wins).
with families as (
    select * from {{ ref('stg_regsosek__keluarga') }}
    where regsosek_family_id is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by regsosek_family_id
            order by period desc, _delivery_id desc, _row_number
        ) as record_rank,
    from families
)

select * exclude (record_rank)
from ranked
where record_rank = 1

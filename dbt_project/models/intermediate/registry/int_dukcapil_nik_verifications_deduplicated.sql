-- One row per NIK Dukcapil's national matching answered (the same answer whichever region submitted
-- it): the newest answer wins; ties by period, then the submitting region.
with verifications as (
    select * from {{ ref('stg_dukcapil__nik_verifications') }}
    where nik is not null
)

select *
from verifications
qualify row_number() over (partition by nik order by verified_date desc, period desc, delivery_region_code) = 1

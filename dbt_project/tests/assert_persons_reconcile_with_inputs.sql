-- Every current source record is in exactly one integrated person, and every person comes from at
-- least one record: no DTKS, Regsosek or Dukcapil record is dropped or duplicated by the integration.
with inputs as (
    select 'dtks' as source, count(distinct dtks_person_id) as records from {{ ref('int_dtks_persons_deduplicated') }}
    union all
    select 'regsosek', count(*) from {{ ref('int_regsosek_persons_located') }}
    union all
    select 'dukcapil', count(*) from {{ ref('int_dukcapil_persons_deduplicated') }}
),

assigned as (
    select records.source, count(distinct records.record_id) as records
    from {{ ref('int_person_source_records') }} as records
    inner join {{ ref('dim_persons') }} as persons on records.person_id = persons.person_id
    group by records.source
),

orphans as (
    select 'person without a source record' as problem, count(*) as n
    from {{ ref('dim_persons') }} as persons
    where not exists (
        select 1 from {{ ref('int_person_source_records') }} as records
        where records.person_id = persons.person_id
    )
)

select inputs.source as problem, inputs.records - coalesce(assigned.records, 0) as n
from inputs
left join assigned using (source)
where inputs.records <> coalesce(assigned.records, 0)
union all
select problem, n from orphans where n > 0
union all
-- a person marked as in DTKS must carry its DTKS records
select 'dtks person without dtks records', count(*) from {{ ref('dim_persons') }}
where is_in_dtks and dtks_records = 0
having count(*) > 0

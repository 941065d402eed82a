-- Every ground check this run applies shows in the golden record: MENINGGAL → dim_persons.is_alive is
-- false, PINDAH → is_moved_per_ground_check, LAYAK / TIDAK LAYAK → the family's (or, without a family,
-- the person's) eligibility verdict; and no person carries a verdict that no applied check explains.
with applied as (
    select * from {{ ref('fct_ground_checks') }}
    where is_applied
),

persons as (
    select * from {{ ref('dim_persons') }}
)

select applied.ground_check_id, applied.result, 'not applied to the person' as problem
from applied
inner join persons on applied.person_id = persons.person_id
where (applied.result = 'MENINGGAL' and persons.is_alive is distinct from false)
    or (applied.result = 'PINDAH' and not persons.is_moved_per_ground_check)
    or (applied.result in ('LAYAK', 'TIDAK LAYAK')
        and persons.eligibility_check_id is distinct from applied.ground_check_id)
union all
select persons.eligibility_check_id, persons.eligibility_check_result, 'verdict without an applied check'
from persons
where persons.eligibility_check_id is not null
    and persons.eligibility_check_id not in (select ground_check_id from applied)

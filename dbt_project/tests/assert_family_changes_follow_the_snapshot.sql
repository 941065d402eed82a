-- Reconciliation of fct_family_changes with its snapshot: for each region and pair of consecutive
-- periods, every family whose (last) desil differs between the two has exactly one naik/turun row,
-- and no naik/turun row exists without such a difference.
with versions as (
    select family_id, region_code, period, any_value(desil) as desil
    from {{ ref('snp_family_programmes') }}
    group by family_id, region_code, period, dbt_valid_from
    qualify row_number() over (partition by family_id, period order by dbt_valid_from desc) = 1
),

steps as (
    select region_code, period as period_to,
        lag(period) over (partition by region_code order by period) as period_from,
    from (select distinct region_code, period from versions)
    qualify period_from is not null
),

expected as (
    select after.family_id, steps.period_to
    from steps
    inner join versions as before on before.region_code = steps.region_code and before.period = steps.period_from
    inner join versions as after on after.region_code = steps.region_code and after.period = steps.period_to
        and after.family_id = before.family_id
    where after.desil <> before.desil
),

actual as (
    select family_id, period_to, count(*) as n
    from {{ ref('fct_family_changes') }}
    where programme is null and direction in ('naik', 'turun')
    group by family_id, period_to
)

select coalesce(expected.family_id, actual.family_id) as family_id, actual.n
from expected
full outer join actual on expected.family_id = actual.family_id and expected.period_to = actual.period_to
where expected.family_id is null or actual.family_id is null or actual.n <> 1

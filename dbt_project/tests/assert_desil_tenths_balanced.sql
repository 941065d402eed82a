-- Each desil holds a tenth of the people in families, within one family's size (the ranking's
-- guarantee, nationally and per province). Returns the desils that are out of balance.
with families as (
    select * from {{ ref('dim_families') }}
),

scopes as (
    select 'run' as scope, desil as tenth, members from families
    union all
    select province_code, desil_province, members from families
),

totals as (
    select
        scope,
        sum(members) as total_members,
        max(members) as largest_family,
    from scopes
    group by scope
),

tenths as (
    select scope, tenth, sum(members) as members_in_tenth
    from scopes
    group by scope, tenth
)

select tenths.*, totals.total_members, totals.largest_family
from tenths
inner join totals using (scope)
where abs(tenths.members_in_tenth - totals.total_members / 10.0) > totals.largest_family

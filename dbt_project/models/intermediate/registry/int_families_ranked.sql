{#-
    One row per Regsosek family with its desil: families ordered from the lowest predicted per-capita
    expenditure (ties: family_id), cut into ten equal population groups by cumulative members:
        desil = ceil(10 x cumulative members up to and including the family / total members)
    so desil 1 holds the poorest 10% of people (not of families), as BPS ranks. A family straddling a
    boundary goes to the tenth its last member falls in; each tenth therefore deviates from exactly 10%
    by less than one family's size. Computed over everything in the run (desil) and within each
    province (desil_province). Families with no delivered members weigh 0 and take the desil of their
    position. Integer arithmetic: no floating-point edge at the boundaries.
-#}
with families as (
    select
        scored.*,
        located.kk_number,
        located.region_code,
        located.kecamatan_code,
        located.desa_code,
        substr(located.region_code, 1, 2) as province_code,
    from {{ ref('int_families_scored') }} as scored
    inner join {{ ref('int_regsosek_families_deduplicated') }} as located
        on scored.family_id = located.regsosek_family_id
),

cumulated as (
    select
        *,
        sum(members) over (
            order by predicted_expenditure_per_capita, family_id
            rows between unbounded preceding and current row
        ) as cumulative_members,
        sum(members) over () as total_members,
        sum(members) over (
            partition by province_code
            order by predicted_expenditure_per_capita, family_id
            rows between unbounded preceding and current row
        ) as cumulative_members_province,
        sum(members) over (partition by province_code) as total_members_province,
    from families
),

ranked as (
    select
        * exclude (cumulative_members, total_members, cumulative_members_province, total_members_province),
        {{ population_tenth('cumulative_members', 'total_members') }} as desil,
        {{ population_tenth('cumulative_members_province', 'total_members_province') }} as desil_province,
    from cumulated
)

select * from ranked

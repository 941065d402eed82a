{#-
    One row per integrated person (int_persons_integrated) with the ground checks that apply in this
    run's period (int_ground_checks_matched.is_applied) laid over the sources: the latest ground check
    overrides (docs/SURVIVORSHIP.md).
      MENINGGAL     is_alive = false from the period after the check; life_status_source 'ground_check'
                    (unless Dukcapil already records the death: then Dukcapil stays the source)
      PINDAH        is_moved_per_ground_check = true
      LAYAK / TIDAK LAYAK   eligibility_check_result: the family's (or, without a family, the person's)
                    applied eligibility verdict, which fct_person_flags and int_families_status use
    ground_check_* describe the person's own latest applied check (any result).
    A view: dim_persons, dim_families and int_families_status each read the columns they need, and
    a table would copy every person once more.
-#}
{{ config(materialized='view') }}
with persons as (
    select * from {{ ref('int_persons_integrated') }}
),

checks as (
    select * from {{ ref('int_ground_checks_matched') }}
    where is_applied
),

person_check as (
    -- the person's latest conclusive check due this period: MENINGGAL / PINDAH apply to the person; a
    -- LAYAK / TIDAK LAYAK is shown too (its eligibility effect comes through the *_eligibility CTEs)
    select person_id, ground_check_id, result, checked_date, applies_from_period
    from {{ ref('int_ground_checks_matched') }}
    where is_person_latest
),

family_eligibility as (
    select family_id, ground_check_id, result
    from checks
    where result in ('LAYAK', 'TIDAK LAYAK') and family_id is not null
),

person_eligibility as (
    select person_id, ground_check_id, result
    from checks
    where result in ('LAYAK', 'TIDAK LAYAK') and family_id is null
),

final as (
    select
        persons.* exclude (is_alive, life_status_source),
        case when person_check.result = 'MENINGGAL' then false else persons.is_alive end as is_alive,
        case
            when person_check.result = 'MENINGGAL' and persons.is_alive is distinct from false then 'ground_check'
            else persons.life_status_source
        end as life_status_source,
        coalesce(person_check.result = 'PINDAH', false) as is_moved_per_ground_check,
        person_check.ground_check_id,
        person_check.result as ground_check_result,
        person_check.checked_date as ground_check_date,
        person_check.applies_from_period as ground_check_applies_from_period,
        coalesce(family_eligibility.result, person_eligibility.result) as eligibility_check_result,
        coalesce(family_eligibility.ground_check_id, person_eligibility.ground_check_id) as eligibility_check_id,
    from persons
    left join person_check on persons.person_id = person_check.person_id
    left join family_eligibility on persons.family_id = family_eligibility.family_id
    left join person_eligibility on persons.person_id = person_eligibility.person_id
)

select * from final

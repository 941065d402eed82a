{#-
    One row per Regsosek family (keluarga): the welfare rank (int_families_ranked), the family card by
    survivorship (Dukcapil's KK number that most members carry, else Regsosek's NO_KK), and this
    period's programme eligibility and receipt (int_families_status, ground checks applied).
-#}
with ranked as (
    select * from {{ ref('int_families_ranked') }}
),

dukcapil_kk as (
    -- the KK number most of the family's members carry at Dukcapil (ties: the lowest)
    select family_id, kk_number
    from {{ ref('int_persons_ground_checked') }}
    where family_id is not null and kk_number_source = 'dukcapil'
    group by family_id, kk_number
    qualify row_number() over (partition by family_id order by count(*) desc, kk_number) = 1
),

status as (
    select
        family_id,
        any_value(period) as period,
        string_agg(programme, ', ' order by programme) filter (where is_eligible) as eligible_programmes,
        string_agg(programme, ', ' order by programme) filter (where is_receiving) as receiving_programmes,
        any_value(eligibility_check_id) as ground_check_id,
        any_value(eligibility_check_result) as ground_check_result,
        any_value(members_alive) as members_alive,
    from {{ ref('int_families_status') }}
    group by family_id
),

checks as (
    select ground_check_id, checked_date, applies_from_period
    from {{ ref('int_ground_checks_matched') }}
    where is_applied
),

final as (
    select
        ranked.family_id,
        coalesce(dukcapil_kk.kk_number, ranked.kk_number) as kk_number,
        ranked.region_code,
        ranked.kecamatan_code,
        ranked.desa_code,
        ranked.province_code,
        cast(ranked.members as integer) as members,
        cast(ranked.predicted_log_expenditure as double) as predicted_log_expenditure,
        cast(ranked.predicted_expenditure_per_capita as double) as predicted_expenditure_per_capita,
        ranked.desil,
        ranked.desil_province,
        ranked.top_factors,
        ranked.pmt_weights_version,
        cast(ranked.missing_codes as integer) as missing_codes,
        -- survivorship: where each attribute comes from
        case
            when dukcapil_kk.kk_number is not null then 'dukcapil'
            when ranked.kk_number is not null then 'regsosek'
        end as kk_number_source,
        'regsosek' as location_source,
        'regsosek' as socio_economic_source,
        -- this period: eligibility (ground checks applied) and receipt
        status.period,
        cast(status.members_alive as integer) as members_alive,
        status.eligible_programmes,
        status.receiving_programmes,
        status.ground_check_id,
        status.ground_check_result,
        checks.checked_date as ground_check_date,
        checks.applies_from_period as ground_check_applies_from_period,
        case when status.ground_check_id is not null then 'ground_check' else 'programme_rules' end
            as eligibility_source,
    from ranked
    left join dukcapil_kk on ranked.family_id = dukcapil_kk.family_id
    left join status on ranked.family_id = status.family_id
    left join checks on status.ground_check_id = checks.ground_check_id
)

select * from final

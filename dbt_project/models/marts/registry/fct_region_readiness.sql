{#-
    One row per pilot region (the list in TERPADU_PILOT_REGIONS), also when nothing was delivered:
    counts are 0 and rates null, so a missing region is visible rather than silently absent.
-#}
with pilots as (
    select * from {{ ref('stg_reference__pilot_regions') }}
),

regencies as (
    select * from {{ ref('stg_reference__regencies') }}
),

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

population as (
    select * from {{ ref('stg_reference__population') }}
),

persons as (
    select
        region_code,
        count(*) as persons_integrated,
        count(*) filter (where is_in_dukcapil) as persons_dukcapil,
        count(*) filter (where is_in_dtks) as persons_dtks,
        count(*) filter (where is_in_regsosek) as persons_regsosek,
        count(*) filter (where is_in_dtks or is_in_regsosek) as persons_listed,
        count(*) filter (where (is_in_dtks or is_in_regsosek) and nik_status = 'valid') as persons_listed_nik_valid,
        count(*) filter (where (is_in_dtks or is_in_regsosek) and is_in_dukcapil) as persons_listed_in_dukcapil,
        count(*) filter (where is_in_dukcapil and is_in_regsosek) as persons_dukcapil_with_regsosek,
        count(*) filter (where is_nik_shared) as persons_nik_shared,
        count(*) filter (where is_alive = false and (receives_pkh or receives_bpnt or receives_pbi))
            as dead_recipients,
    from {{ ref('dim_persons') }}
    group by region_code
),

families as (
    select region_code, count(*) as families_integrated
    from {{ ref('dim_families') }}
    group by region_code
),

flags as (
    select region_code, count(*) as flags_total
    from {{ ref('fct_person_flags') }}
    group by region_code
),

sanggahan as (
    select
        region_code,
        count(*) as sanggahan_total,
        count(*) filter (where is_open) as sanggahan_open,
        count(*) filter (where is_past_sla) as sanggahan_past_sla,
    from {{ ref('fct_sanggahan') }}
    group by region_code
),

usulan as (
    select region_code, count(*) as usulan_total
    from {{ ref('fct_usulan') }}
    group by region_code
),

ground_checks as (
    select
        region_code,
        count(*) as ground_checks_total,
        count(*) filter (where is_applied) as ground_checks_applied,
    from {{ ref('fct_ground_checks') }}
    group by region_code
),

-- Ground-check completion: of the persons carrying at least one flag, how many a ground check has
-- visited (any result, any period up to the run's).
flagged as (
    select
        flags.region_code,
        count(distinct flags.person_id) as persons_flagged,
        count(distinct flags.person_id) filter (where checked.person_id is not null)
            as persons_flagged_ground_checked,
    from {{ ref('fct_person_flags') }} as flags
    left join (
        select distinct person_id from {{ ref('fct_ground_checks') }} where person_id is not null
    ) as checked on flags.person_id = checked.person_id
    group by flags.region_code
),

clerical_review as (
    select region_code, count(*) as clerical_review_pairs
    from {{ ref('fct_clerical_review') }}
    group by region_code
),

joined as (
    select
        pilots.region_code,
        regencies.region_name,
        regencies.province_code,
        provinces.province_name,
        pilots.basis,
        population.population_dec_2024 as population_reference,
        coalesce(persons.persons_dukcapil, 0) as persons_dukcapil,
        coalesce(persons.persons_dtks, 0) as persons_dtks,
        coalesce(persons.persons_regsosek, 0) as persons_regsosek,
        coalesce(persons.persons_integrated, 0) as persons_integrated,
        coalesce(families.families_integrated, 0) as families_integrated,
        persons.persons_listed_nik_valid / nullif(persons.persons_listed, 0) as nik_valid_rate,
        persons.persons_listed_in_dukcapil / nullif(persons.persons_listed, 0) as dukcapil_match_rate,
        persons.persons_dukcapil_with_regsosek / nullif(persons.persons_dukcapil, 0) as coverage_rate,
        persons.persons_nik_shared / nullif(persons.persons_integrated, 0) as duplicate_nik_rate,
        coalesce(persons.dead_recipients, 0) as dead_recipients,
        coalesce(flags.flags_total, 0) as flags_total,
        coalesce(sanggahan.sanggahan_total, 0) as sanggahan_total,
        coalesce(sanggahan.sanggahan_open, 0) as sanggahan_open,
        coalesce(sanggahan.sanggahan_past_sla, 0) as sanggahan_past_sla,
        coalesce(usulan.usulan_total, 0) as usulan_total,
        coalesce(ground_checks.ground_checks_total, 0) as ground_checks_total,
        coalesce(ground_checks.ground_checks_applied, 0) as ground_checks_applied,
        coalesce(clerical_review.clerical_review_pairs, 0) as clerical_review_pairs,
        coalesce(flagged.persons_flagged, 0) as persons_flagged,
        coalesce(flagged.persons_flagged_ground_checked, 0) as persons_flagged_ground_checked,
        flagged.persons_flagged_ground_checked / nullif(flagged.persons_flagged, 0) as ground_check_completion_rate,
    from pilots
    left join regencies on pilots.region_code = regencies.region_code
    left join provinces on regencies.province_code = provinces.province_code
    left join population on pilots.region_code = population.region_code
    left join persons on pilots.region_code = persons.region_code
    left join families on pilots.region_code = families.region_code
    left join flags on pilots.region_code = flags.region_code
    left join sanggahan on pilots.region_code = sanggahan.region_code
    left join usulan on pilots.region_code = usulan.region_code
    left join ground_checks on pilots.region_code = ground_checks.region_code
    left join clerical_review on pilots.region_code = clerical_review.region_code
    left join flagged on pilots.region_code = flagged.region_code
),

final as (
    select
        region_code,
        region_name,
        province_code,
        province_name,
        basis,
        cast(population_reference as bigint) as population_reference,
        cast(persons_dukcapil as bigint) as persons_dukcapil,
        cast(persons_dtks as bigint) as persons_dtks,
        cast(persons_regsosek as bigint) as persons_regsosek,
        cast(persons_integrated as bigint) as persons_integrated,
        cast(families_integrated as bigint) as families_integrated,
        cast(nik_valid_rate as double) as nik_valid_rate,
        cast(dukcapil_match_rate as double) as dukcapil_match_rate,
        cast(coverage_rate as double) as coverage_rate,
        cast(duplicate_nik_rate as double) as duplicate_nik_rate,
        cast(dead_recipients as bigint) as dead_recipients,
        cast(flags_total as bigint) as flags_total,
        cast(case
            when persons_dukcapil = 0 then 0.0
            else 0.35 * coalesce(dukcapil_match_rate, 0)
                + 0.35 * coalesce(coverage_rate, 0)
                + 0.20 * coalesce(nik_valid_rate, 0)
                + 0.10 * (1 - coalesce(duplicate_nik_rate, 0))
        end as double) as readiness_score,
        cast(sanggahan_total as bigint) as sanggahan_total,
        cast(sanggahan_open as bigint) as sanggahan_open,
        cast(sanggahan_past_sla as bigint) as sanggahan_past_sla,
        cast(usulan_total as bigint) as usulan_total,
        cast(ground_checks_total as bigint) as ground_checks_total,
        cast(ground_checks_applied as bigint) as ground_checks_applied,
        cast(clerical_review_pairs as bigint) as clerical_review_pairs,
        cast(persons_flagged as bigint) as persons_flagged,
        cast(persons_flagged_ground_checked as bigint) as persons_flagged_ground_checked,
        cast(ground_check_completion_rate as double) as ground_check_completion_rate,
    from joined
)

select * from final

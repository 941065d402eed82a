{#-
    One row per integrated person: the golden record (survivorship in int_persons_integrated, ground
    checks laid over it in int_persons_ground_checked; rules in docs/SURVIVORSHIP.md). Every surviving
    attribute names its source in <attribute>_source.
-#}
with persons as (
    select * from {{ ref('int_persons_ground_checked') }}
),

families as (
    select family_id, desil from {{ ref('int_families_ranked') }}
),

final as (
    select
        persons.person_id,
        persons.nik,
        {{ keyed_hash('persons.nik', 'nik') }} as nik_hash,
        persons.nik_status,
        persons.family_id,
        persons.kk_number,
        persons.full_name,
        persons.birth_date,
        persons.sex,
        persons.region_code,
        persons.kecamatan_code,
        persons.desa_code,
        persons.is_alive,
        persons.death_date,
        persons.is_in_dukcapil,
        persons.is_in_dtks,
        persons.is_in_regsosek,
        -- Dukcapil's national NIK matching, for a person not in the Dukcapil pull (int_persons_integrated)
        persons.dukcapil_verification_status,
        persons.verified_region_code,
        persons.verified_desa_code,
        persons.receives_pkh,
        persons.receives_bpnt,
        persons.receives_pbi,
        families.desil,
        persons.is_nik_shared,
        persons.dtks_person_id,
        persons.dtks_records,
        persons.dtks_region_code,
        persons.dtks_desa_code,
        persons.dtks_kk_number,
        persons.regsosek_person_id,
        -- survivorship: where each attribute comes from
        persons.nik_source,
        persons.name_source,
        persons.birth_date_source,
        persons.sex_source,
        persons.kk_number_source,
        persons.address_source,
        persons.family_source,
        persons.life_status_source,
        case when persons.is_in_dtks then 'dtks' end as programme_receipt_source,
        case when families.desil is not null then 'regsosek' end as socio_economic_source,
        -- ground checks applied this period
        persons.is_moved_per_ground_check,
        persons.ground_check_id,
        persons.ground_check_result,
        persons.ground_check_date,
        persons.ground_check_applies_from_period,
        persons.eligibility_check_id,
        persons.eligibility_check_result,
    from persons
    left join families on persons.family_id = families.family_id
)

select * from final

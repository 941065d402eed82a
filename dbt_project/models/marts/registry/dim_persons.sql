with persons as (
    select * from {{ ref('int_persons_integrated') }}
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
        persons.receives_pkh,
        persons.receives_bpnt,
        persons.receives_pbi,
        families.desil,
        persons.is_nik_shared,
        persons.dtks_person_id,
        persons.dtks_records,
        persons.dtks_region_code,
        persons.dtks_desa_code,
        persons.regsosek_person_id,
    from persons
    left join families on persons.family_id = families.family_id
)

select * from final

{#-
    One row per integrated person (person_id): the survivorship rules (docs/SURVIVORSHIP.md). Each
    attribute takes the first source that has a value, in this order, and records it in <attribute>_source:
      identity (nik, name, birth date, sex), family card (kk_number), address and life status:
        Dukcapil when the person is there, otherwise the DTKS record, otherwise the Regsosek member
        (a DTKS or Regsosek family card number only when structurally valid, kk_status);
      programme receipt: DTKS (any of the person's DTKS records receiving);
      family (for the welfare rank) and socio-economics: Regsosek, the keluarga of the person's own
        Regsosek record; a person without one (born after the enumeration, or missed by it) joins
        the keluarga of their Dukcapil family card: the one most of the card's members belong to
        (ties: lowest family_id). family_source says which;
      is_nik_shared: the person carries, or holds, a NIK used by another person (int_person_identity_issues);
      verified domicile: a person NOT in the Dukcapil pull (no DKB record: e.g. moved to a kab/kota
        outside the pilot regions) takes Dukcapil's national NIK-matching answer for their own NIK
        (int_dukcapil_nik_verifications_deduplicated, the newest answer): dukcapil_verification_status PADAN /
        TIDAK PADAN and, when PADAN, verified_region_code / verified_desa_code, the holder's current
        domicile. Own NIK: the DTKS record's NIK, else the Regsosek member's, only when structurally
        valid, with no identity conflict and not shared (a borrowed NIK would give the holder's
        domicile). It does not replace the address (the records' place stays the region's worklist);
        fct_person_flags uses it for moved_out. The same answer's STATUS_HIDUP gives such a person a
        life status (life_status_source 'dukcapil_verification'; the date of death is not in the answer).
    The latest ground check overrides life status and eligibility downstream (int_persons_ground_checked).
-#}
{%- set survivors = [('dukcapil', 'dukcapil'), ('dtks_by_person', 'dtks'), ('regsosek_by_person', 'regsosek')] -%}
with records as (
    select * from {{ ref('int_person_source_records') }}
),

dukcapil as (
    select
        records.person_id,
        persons.*,
    from records
    inner join {{ ref('int_dukcapil_persons_deduplicated') }} as persons
        on records.source = 'dukcapil' and records.record_id = persons.nik
),

dtks as (
    select
        records.person_id,
        records.match_status,
        persons.*,
    from records
    inner join {{ ref('int_dtks_persons_deduplicated') }} as persons
        on records.source = 'dtks' and records.record_id = persons.dtks_person_id
),

dtks_by_person as (
    select
        person_id,
        count(*) as dtks_records,
        bool_or(receives_pkh) as receives_pkh,
        bool_or(receives_bpnt) as receives_bpnt,
        bool_or(receives_pbi) as receives_pbi,
        -- the lowest DTKS id represents the person where one value is needed
        arg_min(dtks_person_id, dtks_person_id) as dtks_person_id,
        arg_min(nik, dtks_person_id) as nik,
        arg_min(nik_status, dtks_person_id) as nik_status,
        -- a family card number survives only when structurally valid (kk_status); the delivered one is kept apart
        arg_min(case when kk_status = 'valid' then kk_number end, dtks_person_id) as kk_number,
        arg_min(kk_number, dtks_person_id) as delivered_kk_number,
        arg_min(full_name, dtks_person_id) as full_name,
        arg_min(birth_date, dtks_person_id) as birth_date,
        arg_min(sex, dtks_person_id) as sex,
        arg_min(desa_code, dtks_person_id) as desa_code,
        arg_min(kecamatan_code, dtks_person_id) as kecamatan_code,
        arg_min(region_code, dtks_person_id) as region_code,
        bool_or(match_status = 'identity_conflict') as has_identity_conflict,
    from dtks
    group by person_id
),

regsosek as (
    select
        records.person_id,
        records.match_status,
        persons.*,
    from records
    inner join {{ ref('int_regsosek_persons_located') }} as persons
        on records.source = 'regsosek' and records.record_id = persons.regsosek_person_id
),

regsosek_by_person as (
    select
        person_id,
        count(*) as regsosek_records,
        arg_min(regsosek_person_id, regsosek_person_id) as regsosek_person_id,
        arg_min(regsosek_family_id, regsosek_person_id) as family_id,
        arg_min(nik, regsosek_person_id) as nik,
        arg_min(nik_status, regsosek_person_id) as nik_status,
        arg_min(case when family_kk_status = 'valid' then family_kk_number end, regsosek_person_id) as kk_number,
        arg_min(full_name, regsosek_person_id) as full_name,
        arg_min(birth_date, regsosek_person_id) as birth_date,
        arg_min(sex, regsosek_person_id) as sex,
        arg_min(desa_code, regsosek_person_id) as desa_code,
        arg_min(kecamatan_code, regsosek_person_id) as kecamatan_code,
        arg_min(region_code, regsosek_person_id) as region_code,
        bool_or(match_status = 'identity_conflict') as has_identity_conflict,
    from regsosek
    group by person_id
),

people as (
    select distinct person_id, person_key from records
),

-- Dukcapil's national answer per NIK (the newest)
verifications as (
    select * from {{ ref('int_dukcapil_nik_verifications_deduplicated') }}
),

-- the Regsosek keluarga of each Dukcapil family card, for members Regsosek did not enumerate
kk_families as (
    select kk_number, family_id
    from (
        select dukcapil.kk_number, regsosek_by_person.family_id, count(*) as members
        from dukcapil
        inner join regsosek_by_person on dukcapil.person_id = regsosek_by_person.person_id
        where dukcapil.kk_number is not null
        group by all
    )
    qualify row_number() over (partition by kk_number order by members desc, family_id) = 1
),

integrated as (
    select
        people.person_id,
        people.person_key,
        coalesce(dukcapil.nik, dtks_by_person.nik, regsosek_by_person.nik) as nik,
        coalesce(dukcapil.nik_status, dtks_by_person.nik_status, regsosek_by_person.nik_status) as nik_status,
        coalesce(regsosek_by_person.family_id, kk_families.family_id) as family_id,
        coalesce(dukcapil.kk_number, dtks_by_person.kk_number, regsosek_by_person.kk_number) as kk_number,
        coalesce(dukcapil.full_name, dtks_by_person.full_name, regsosek_by_person.full_name) as full_name,
        coalesce(dukcapil.birth_date, dtks_by_person.birth_date, regsosek_by_person.birth_date) as birth_date,
        coalesce(dukcapil.sex, dtks_by_person.sex, regsosek_by_person.sex) as sex,
        {%- for column, label in [('nik', 'nik'), ('kk_number', 'kk_number'), ('full_name', 'name'),
                                  ('birth_date', 'birth_date'), ('sex', 'sex')] %}
        case
            {%- for alias, source in survivors %}
            when {{ alias }}.{{ column }} is not null then '{{ source }}'
            {%- endfor %}
        end as {{ label }}_source,
        {%- endfor %}
        case
            when dukcapil.person_id is not null then 'dukcapil'
            when dtks_by_person.person_id is not null then 'dtks'
            else 'regsosek'
        end as address_source,
        case
            when regsosek_by_person.family_id is not null then 'regsosek'
            when kk_families.family_id is not null then 'dukcapil_kk'
        end as family_source,
        case
            when dukcapil.person_id is not null then dukcapil.region_code
            when dtks_by_person.person_id is not null then dtks_by_person.region_code
            else regsosek_by_person.region_code
        end as region_code,
        case
            when dukcapil.person_id is not null then dukcapil.kecamatan_code
            when dtks_by_person.person_id is not null then dtks_by_person.kecamatan_code
            else regsosek_by_person.kecamatan_code
        end as kecamatan_code,
        case
            when dukcapil.person_id is not null then dukcapil.desa_code
            when dtks_by_person.person_id is not null then dtks_by_person.desa_code
            else regsosek_by_person.desa_code
        end as desa_code,
        dukcapil.is_alive,
        dukcapil.death_date,
        case when dukcapil.is_alive is not null then 'dukcapil' end as life_status_source,
        dukcapil.person_id is not null as is_in_dukcapil,
        dtks_by_person.person_id is not null as is_in_dtks,
        regsosek_by_person.person_id is not null as is_in_regsosek,
        coalesce(dtks_by_person.receives_pkh, false) as receives_pkh,
        coalesce(dtks_by_person.receives_bpnt, false) as receives_bpnt,
        coalesce(dtks_by_person.receives_pbi, false) as receives_pbi,
        dtks_by_person.dtks_person_id,
        coalesce(dtks_by_person.dtks_records, 0) as dtks_records,
        dtks_by_person.region_code as dtks_region_code,
        dtks_by_person.desa_code as dtks_desa_code,
        dtks_by_person.delivered_kk_number as dtks_kk_number,
        regsosek_by_person.regsosek_person_id,
        coalesce(dtks_by_person.has_identity_conflict, false)
            or coalesce(regsosek_by_person.has_identity_conflict, false) as has_identity_conflict,
        -- the person's own NIK to look up in the national matching, only for persons not in the pull
        case
            when dukcapil.person_id is not null
                or coalesce(dtks_by_person.has_identity_conflict, false)
                or coalesce(regsosek_by_person.has_identity_conflict, false) then null
            when dtks_by_person.nik_status = 'valid' then dtks_by_person.nik
            when regsosek_by_person.nik_status = 'valid' then regsosek_by_person.nik
        end as verification_nik,
    from people
    left join dukcapil on people.person_id = dukcapil.person_id
    left join dtks_by_person on people.person_id = dtks_by_person.person_id
    left join regsosek_by_person on people.person_id = regsosek_by_person.person_id
    left join kk_families on dukcapil.kk_number = kk_families.kk_number
),

shared as (
    -- a NIK carried by more than one person (int_person_identity_issues): someone uses another's NIK
    select distinct person_id
    from {{ ref('int_person_identity_issues') }}
    where flag_type = 'nik_shared'
),

final as (
    select
        integrated.* exclude (verification_nik, is_alive, life_status_source),
        coalesce(integrated.is_alive, verifications.is_alive) as is_alive,
        case
            when integrated.life_status_source is not null then integrated.life_status_source
            when verifications.is_alive is not null then 'dukcapil_verification'
        end as life_status_source,
        shared.person_id is not null as is_nik_shared,
        verifications.verification_status as dukcapil_verification_status,
        verifications.region_code as verified_region_code,
        verifications.desa_code as verified_desa_code,
    from integrated
    left join shared on integrated.person_id = shared.person_id
    -- a shared NIK is not the person's own: the test sits in the join key (hash join, see above)
    left join verifications
        on verifications.nik = case when shared.person_id is null then integrated.verification_nik end
)

select * from final

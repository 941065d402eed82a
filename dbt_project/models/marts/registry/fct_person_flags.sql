{#-
    One row per person and flag type: the worklists operators act on. `region_code` is the region whose
    worklist holds the flag: the person's region, except moved_out, which belongs to the DTKS region
    that still lists (and pays) the person. Programme rules come from seeds/programme_rules.csv;
    eligibility is macro programme_eligibility: the desil range, overridden by the ground check applied
    this period (TIDAK LAYAK: not eligible, an inclusion error while receiving; LAYAK: the receipt is
    confirmed). A MENINGGAL ground check makes the person dead (dead_recipient while receiving), a
    PINDAH one moved (moved_out while DTKS lists the person).
    moved_out: DTKS lists the person and their domicile is another kab/kota than the DTKS record's:
    per the Dukcapil pull (is_in_dukcapil), or - for a person not in the pull - per Dukcapil's
    national NIK matching of their own NIK (dukcapil_verification_status PADAN, verified_region_code:
    e.g. moved to a kab/kota outside the pilot regions), or - for a person whose own domicile is
    unknown (not in the pull, no PADAN answer: their DTKS NIK is missing or damaged) - per their DTKS
    family: every member of the same DTKS family card (dtks_kk_number, 16 digits not starting with 0)
    whose domicile Dukcapil knows lives in one and the same other kab/kota (families move together,
    with a new KK), or per a PINDAH ground check.
-#}
{%- set verified_elsewhere -%}
    (not is_in_dukcapil and dukcapil_verification_status = 'PADAN' and verified_region_code <> dtks_region_code)
{%- endset -%}
{%- set family_elsewhere -%}
    (not is_in_dukcapil and dukcapil_verification_status is distinct from 'PADAN'
        and family_region_code <> dtks_region_code)
{%- endset -%}
with persons_only as (
    select * from {{ ref('dim_persons') }}
),

-- DTKS family cards whose members Dukcapil places (pull or PADAN) all in one kab/kota
dtks_families as (
    select
        dtks_region_code,
        dtks_kk_number,
        any_value(known_region_code) as family_region_code,
    from (
        select
            dtks_region_code,
            dtks_kk_number,
            case
                when is_in_dukcapil then region_code
                when dukcapil_verification_status = 'PADAN' then verified_region_code
            end as known_region_code,
        from persons_only
        where is_in_dtks and regexp_full_match(dtks_kk_number, '[1-9][0-9]{15}')
    )
    where known_region_code is not null
    group by dtks_region_code, dtks_kk_number
    having count(distinct known_region_code) = 1
),

persons as (
    select
        persons_only.*,
        dtks_families.family_region_code,
    from persons_only
    left join dtks_families
        on persons_only.dtks_region_code = dtks_families.dtks_region_code
        and persons_only.dtks_kk_number = dtks_families.dtks_kk_number
),

rules as (
    select * from {{ ref('programme_rules') }}
    where receipt_column is not null
),

-- one row per person and programme with receipt data
person_programmes as (
    select
        persons.person_id,
        rules.programme,
        rules.min_desil,
        rules.max_desil,
        case rules.receipt_column
            when 'receives_pkh' then persons.receives_pkh
            when 'receives_bpnt' then persons.receives_bpnt
            when 'receives_pbi' then persons.receives_pbi
        end as is_receiving,
        persons.desil,
        persons.is_alive,
        persons.eligibility_check_id,
        persons.eligibility_check_result,
    from persons
    cross join rules
),

judged as (
    select
        *,
        {{ programme_eligibility('desil', 'min_desil', 'max_desil', 'eligibility_check_result', 'is_receiving') }}
            as is_eligible,
    from person_programmes
),

inclusion as (
    select
        person_id,
        'inclusion_error' as flag_type,
        case
            when any_value(eligibility_check_result) = 'TIDAK LAYAK' then
                'receiving ' || string_agg(programme, ', ' order by programme) || ' while ground check '
                || any_value(eligibility_check_id) || ' found the family not eligible (TIDAK LAYAK)'
            else
                'receiving ' || string_agg(programme || ' (desil ' || min_desil || '-' || max_desil || ')', ', ' order by programme)
                || ' while in desil ' || any_value(desil)
        end as reason,
        case
            when any_value(eligibility_check_result) = 'TIDAK LAYAK' then 'end the benefit: the ground check confirmed it'
            else 'verify eligibility by ground check; end the benefit if confirmed'
        end as action,
        string_agg(programme, ', ' order by programme) as programmes,
    from judged
    where is_receiving and is_eligible = false
    group by person_id
),

exclusion as (
    select
        person_id,
        'exclusion_error' as flag_type,
        'eligible by desil ' || any_value(desil) || ' for ' || string_agg(programme, ', ' order by programme)
            || ' but not receiving' as reason,
        'propose (usulan) for the programme after confirming the family''s situation' as action,
        string_agg(programme, ', ' order by programme) as programmes,
    from judged
    where not is_receiving and is_eligible and is_alive is distinct from false
    group by person_id
),

identity_flags as (
    -- from the person's records (int_person_identity_issues): a person can carry several
    select
        person_id,
        flag_type,
        case flag_type
            when 'nik_shared' then 'NIK carried by more than one person with a different name or birth date: '
                || evidence
            when 'nik_excel_mangled' then 'NIK damaged by a spreadsheet (number format): ' || evidence
                || coalesce('; Dukcapil match ' || suggested_nik, '')
            when 'nik_invalid' then 'NIK missing or failing the structure check (' || nik_statuses || '): '
                || evidence || coalesce('; Dukcapil match ' || suggested_nik, '')
            when 'nik_not_in_dukcapil' then 'NIK not in the Dukcapil delivery: ' || evidence
                || coalesce('; Dukcapil match ' || suggested_nik, '')
        end as reason,
        case flag_type
            when 'nik_shared' then 'check both persons'' KTP/KK; correct the record that uses another person''s NIK'
            when 'nik_excel_mangled' then 'retype the NIK from the KTP/KK as text'
            when 'nik_invalid' then 'record the NIK from the KTP/KK'
            when 'nik_not_in_dukcapil' then 'verify the NIK with Dukcapil (moved, typo, or not registered)'
        end as action,
        cast(null as varchar) as programmes,
    from {{ ref('int_person_identity_issues') }}
),

dead_recipients as (
    select
        person_id,
        'dead_recipient' as flag_type,
        case
            when life_status_source = 'ground_check' then 'reported dead by ground check ' || ground_check_id
                || ' (visited ' || coalesce(strftime(ground_check_date, '%Y-%m-%d'), 'date unknown') || ')'
            when life_status_source = 'dukcapil_verification' then 'dead (MATI) per Dukcapil''s NIK verification'
            else 'died ' || coalesce(strftime(death_date, '%Y-%m-%d'), '(date unknown)') || ' per Dukcapil'
        end || ', still receiving '
            || concat_ws(', ',
                case when receives_pkh then 'PKH' end,
                case when receives_bpnt then 'BPNT' end,
                case when receives_pbi then 'PBI' end) as reason,
        'stop the benefit and deactivate the DTKS record' as action,
        concat_ws(', ',
            case when receives_pkh then 'PKH' end,
            case when receives_bpnt then 'BPNT' end,
            case when receives_pbi then 'PBI' end) as programmes,
    from persons
    where is_alive = false and (receives_pkh or receives_bpnt or receives_pbi)
),

moved as (
    select
        person_id,
        'moved_out' as flag_type,
        case
            when is_in_dukcapil and region_code <> dtks_region_code
                then 'Dukcapil address ' || desa_code || ' is outside the DTKS region ' || dtks_region_code
            when {{ verified_elsewhere }}
                then 'Dukcapil padan: domisili ' || verified_region_code || ' di luar wilayah DTKS ' || dtks_region_code
            when {{ family_elsewhere }}
                then 'Dukcapil: keluarga (KK DTKS ' || dtks_kk_number || ') berdomisili di ' || family_region_code
                    || ', di luar wilayah DTKS ' || dtks_region_code
            else 'ground check ' || ground_check_id || ' found the person moved away (PINDAH)'
        end as reason,
        'hand over to the region of residence or update the address in DTKS' as action,
        cast(null as varchar) as programmes,
        dtks_region_code as worklist_region_code,
    from persons
    where is_in_dtks
        and ((is_in_dukcapil and region_code <> dtks_region_code) or {{ verified_elsewhere }} or {{ family_elsewhere }}
            or is_moved_per_ground_check)
),

flags as (
    select *, cast(null as varchar) as worklist_region_code from inclusion
    union all
    select *, cast(null as varchar) as worklist_region_code from exclusion
    union all
    select *, cast(null as varchar) as worklist_region_code from identity_flags
    union all
    select *, cast(null as varchar) as worklist_region_code from dead_recipients
    union all
    select * from moved
),

final as (
    select
        coalesce(flags.worklist_region_code, persons.region_code) as region_code,
        case when flags.worklist_region_code is null then persons.kecamatan_code
            else substr(persons.dtks_desa_code, 1, 8) end as kecamatan_code,
        case when flags.worklist_region_code is null then persons.desa_code else persons.dtks_desa_code end as desa_code,
        flags.person_id,
        persons.nik,
        persons.full_name,
        flags.flag_type,
        flags.reason,
        flags.action,
        flags.programmes,
        persons.desil,
    from flags
    inner join persons on flags.person_id = persons.person_id
)

select * from final

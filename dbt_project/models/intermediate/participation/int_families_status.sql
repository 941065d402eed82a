{#-
    One row per family (dim_families) and programme (seeds/programme_rules.csv) for the run's period:
    the welfare rank, eligibility and receipt that the history snapshot (snapshots/snp_family_programmes)
    records each period and fct_family_changes compares between periods.
      is_eligible    macro programme_eligibility: desil in the programme's range, overridden by the
                     family's applied ground check (TIDAK LAYAK: no; LAYAK while receiving: yes); false
                     when no member is alive any more (Dukcapil or a MENINGGAL ground check)
      is_receiving   a member receives it per DTKS this period; null for a programme without receipt data
    ground_check_* is the latest applied check of any member (what explains a change), and
    eligibility_check_* the applied LAYAK / TIDAK LAYAK verdict that decides eligibility.
-#}
with families as (
    select * from {{ ref('int_families_ranked') }}
),

rules as (
    select * from {{ ref('programme_rules') }}
),

members as (
    select
        family_id,
        count(*) as members_integrated,
        count(*) filter (where is_alive is distinct from false) as members_alive,
        bool_or(receives_pkh) as receives_pkh,
        bool_or(receives_bpnt) as receives_bpnt,
        bool_or(receives_pbi) as receives_pbi,
        -- the same for every member (the family's verdict)
        any_value(eligibility_check_result) as eligibility_check_result,
        any_value(eligibility_check_id) as eligibility_check_id,
    from {{ ref('int_persons_ground_checked') }}
    where family_id is not null
    group by family_id
),

latest_check as (
    select family_id, ground_check_id, ground_check_result
    from {{ ref('int_persons_ground_checked') }}
    where family_id is not null and ground_check_id is not null
    qualify row_number() over (
        partition by family_id order by ground_check_date desc nulls last, ground_check_id desc
    ) = 1
),

family_programmes as (
    select
        families.family_id,
        rules.programme,
        families.region_code,
        families.kecamatan_code,
        families.desa_code,
        families.desil,
        case rules.receipt_column
            when 'receives_pkh' then coalesce(members.receives_pkh, false)
            when 'receives_bpnt' then coalesce(members.receives_bpnt, false)
            when 'receives_pbi' then coalesce(members.receives_pbi, false)
        end as is_receiving,
        rules.min_desil,
        rules.max_desil,
        coalesce(members.members_alive, 0) as members_alive,
        coalesce(members.members_integrated, 0) as members_integrated,
        members.eligibility_check_result,
        members.eligibility_check_id,
        latest_check.ground_check_id,
        latest_check.ground_check_result,
    from families
    cross join rules
    left join members on families.family_id = members.family_id
    left join latest_check on families.family_id = latest_check.family_id
),

final as (
    select
        family_id || ':' || programme as family_programme_key,
        family_id,
        programme,
        {{ run_period() }} as period,
        region_code,
        kecamatan_code,
        desa_code,
        desil,
        case
            when members_integrated > 0 and members_alive = 0 then false
            else {{ programme_eligibility('desil', 'min_desil', 'max_desil', 'eligibility_check_result', 'is_receiving') }}
        end as is_eligible,
        case
            when members_integrated > 0 and members_alive = 0 then 'life_status'
            else {{ eligibility_basis('desil', 'eligibility_check_result', 'is_receiving') }}
        end as eligibility_basis,
        is_receiving,
        cast(members_alive as integer) as members_alive,
        eligibility_check_id,
        eligibility_check_result,
        ground_check_id,
        ground_check_result,
    from family_programmes
)

select * from final

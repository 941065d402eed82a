{#-
    One row per current sanggahan (objection against a recipient, Cek Bansos "Sanggah" or the
    village deliberation): the workbooks of every period up to the run's, a NO_SANGGAHAN repeated in
    a later workbook keeping the newest row (its decision). Joined to the person the NIK names
    (int_workbook_niks_matched: the Dukcapil holder when a NIK is shared; nik_match_method says whether
    the NIK matched as typed or was repaired from Excel damage) and their family's desil and receipt.
      days_open   days from objection_date to decision_date, or to the as-of date (macro as_of_date:
                  var('as_of_date'), default the first day of the run's period) while undecided
      is_past_sla undecided (BELUM) and days_open > var('sanggahan_sla_days') (14): per Cek Bansos rules
                  an objection the region does not verify in time is not accepted
    kecamatan/desa: the person's address, else their DTKS desa, when inside the delivering region.
-#}
{%- set sla_days = var('sanggahan_sla_days') -%}
with objections as (
    {{ newest_workbook_row(ref('stg_kabkota__sanggahan'), 'sanggahan_id') }}
),

matches as (
    select * from {{ ref('int_workbook_niks_matched') }}
    where workbook = 'sanggahan'
),

persons as (
    select * from {{ ref('dim_persons') }}
),

joined as (
    select
        objections.*,
        matches.nik_match_method,
        matches.matched_nik,
        persons.person_id,
        persons.family_id,
        persons.desil,
        persons.receives_pkh,
        persons.receives_bpnt,
        persons.receives_pbi,
        {{ worklist_desa('objections.region_code', 'persons.desa_code', 'persons.dtks_desa_code') }}
            as person_desa_code,
        case
            when objections.verification_status = 'BELUM' then
                date_diff('day', objections.objection_date, {{ as_of_date() }})
            else date_diff('day', objections.objection_date, objections.decision_date)
        end as days_open,
    from objections
    left join matches on objections.sanggahan_id = matches.workbook_row_id
    left join persons on matches.person_id = persons.person_id
),

final as (
    select
        sanggahan_id,
        region_code,
        substr(person_desa_code, 1, 8) as kecamatan_code,
        person_desa_code as desa_code,
        nik,
        person_id,
        family_id,
        desil,
        receives_pkh,
        receives_bpnt,
        receives_pbi,
        reason,
        objection_date,
        verification_status,
        decision_date,
        cast(days_open as integer) as days_open,
        cast({{ sla_days }} as integer) as sla_days,
        coalesce(verification_status = 'BELUM' and days_open > {{ sla_days }}, false) as is_past_sla,
        coalesce(verification_status = 'BELUM', false) as is_open,
        {{ as_of_date() }} as as_of_date,
        nik_status,
        nik_match_method,
        matched_nik,
        reported_by,
        period,
    from joined
)

select * from final

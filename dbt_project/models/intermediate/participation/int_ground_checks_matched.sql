{#-
    One row per ground check (NO_GC; a check repeated in a later workbook keeps the newest period's
    row), matched to the person its NIK names (int_workbook_niks_matched: exactly, or repaired from
    Excel damage - nik_match_method), with when and whether it applies.

    A check reported in period P applies from the next period (applies_from_period); this run (var
    'period') applies the checks with applies_from_period <= period. Among those, "the latest ground
    check overrides" (checked_date, then period, then id, newest first):
      MENINGGAL, PINDAH       apply when the check is the person's latest conclusive check (any result
                              but TIDAK DITEMUKAN): a later LAYAK for the same person supersedes them;
      LAYAK, TIDAK LAYAK      apply when the check is its family's latest LAYAK/TIDAK LAYAK check (the
                              person's own, for a person without a Regsosek family);
      TIDAK DITEMUKAN         never changes a status (the visit found nobody).
    application_status says which case holds for each check.
-#}
with checks as (
    {{ newest_workbook_row(ref('stg_kabkota__ground_checks'), 'ground_check_id') }}
),

matches as (
    select * from {{ ref('int_workbook_niks_matched') }}
    where workbook = 'ground_check'
),

matched as (
    select
        checks.ground_check_id,
        checks.region_code,
        checks.nik,
        checks.nik_status,
        checks.kk_number,
        checks.result,
        checks.officer,
        checks.checked_date,
        checks.period,
        {{ next_period('checks.period') }} as applies_from_period,
        matches.person_id,
        matches.family_id,
        matches.nik_match_method,
        matches.matched_nik,
        {{ worklist_desa('checks.region_code', 'matches.desa_code', 'matches.dtks_desa_code') }} as desa_code,
        checks._delivery_id,
    from checks
    left join matches on checks.ground_check_id = matches.workbook_row_id
),

due as (
    select
        *,
        person_id is not null and result <> 'TIDAK DITEMUKAN' and applies_from_period <= {{ run_period() }} as is_due,
        case when result in ('LAYAK', 'TIDAK LAYAK')
            then coalesce('family:' || family_id, 'person:' || person_id) end as eligibility_scope,
    from matched
),

person_latest as (
    select ground_check_id
    from due
    where is_due
    qualify row_number() over (
        partition by person_id order by checked_date desc nulls last, period desc, ground_check_id desc
    ) = 1
),

eligibility_latest as (
    select ground_check_id
    from due
    where is_due and eligibility_scope is not null
    qualify row_number() over (
        partition by eligibility_scope order by checked_date desc nulls last, period desc, ground_check_id desc
    ) = 1
),

decided as (
    select
        due.*,
        person_latest.ground_check_id is not null as is_person_latest,
        eligibility_latest.ground_check_id is not null as is_eligibility_latest,
        case
            when due.result in ('MENINGGAL', 'PINDAH') then person_latest.ground_check_id is not null
            when due.result in ('LAYAK', 'TIDAK LAYAK') then eligibility_latest.ground_check_id is not null
            else false
        end as is_applied,
    from due
    left join person_latest on due.ground_check_id = person_latest.ground_check_id
    left join eligibility_latest on due.ground_check_id = eligibility_latest.ground_check_id
)

select
    * exclude (is_due, eligibility_scope),
    substr(desa_code, 1, 8) as kecamatan_code,
    case
        when result = 'TIDAK DITEMUKAN' then 'tanpa_efek'
        when person_id is null then 'tidak_cocok'
        when applies_from_period > {{ run_period() }} then 'menunggu_periode'
        when is_applied then 'diterapkan'
        else 'digantikan'
    end as application_status,
from decided

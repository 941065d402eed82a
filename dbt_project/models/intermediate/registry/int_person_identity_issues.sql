{#-
    One row per person and identity flag type, derived from the person's DTKS and Regsosek records
    (each record has at most one issue, the most serious first):
      nik_shared          the record carries a NIK Dukcapil gives to someone whose name or birth date
                          disagree (identity_conflict) and the linkage did not show the record to be
                          the holder after all; both the record's person and the holder are flagged. Also a valid NIK absent from Dukcapil that records of two
                          different persons carry (also one whose sex digit contradicts one of them);
      nik_excel_mangled   the NIK went through a spreadsheet (nik_status excel_mangled), or a 16-digit
                          NIK ending in 0 not at Dukcapil whose record matched (matched_nik_15) or
                          linked to the resident with the same first 15 digits (Excel keeps 15
                          significant digits);
      nik_invalid         the NIK is missing or fails the structure check (and is not at Dukcapil);
      nik_not_in_dukcapil a structurally valid NIK Dukcapil does not have: not in the Dukcapil pull
                          (the DKB files of the pilot regions) and either answered TIDAK PADAN by the
                          national NIK matching (int_dukcapil_nik_verifications_deduplicated), or not answered
                          at all (the region delivered no verification of that NIK). A NIK the
                          matching answered PADAN is known to Dukcapil (its holder lives outside the
                          pilot regions): no flag; fct_person_flags judges the domicile (moved_out).
    `suggested_nik` is the holder's NIK found by the probabilistic linkage, for the operator to verify.
-#}
with records as (
    select * from {{ ref('int_person_source_records') }}
    where source in ('dtks', 'regsosek')
),

holders as (
    select * from {{ ref('int_person_source_records') }}
    where source = 'dukcapil'
),

-- Dukcapil's national answer per NIK (the newest)
verifications as (
    select nik, verification_status
    from {{ ref('int_dukcapil_nik_verifications_deduplicated') }}
),

-- well-formed NIKs absent from Dukcapil carried by records of different persons (sex_mismatch too:
-- a woman carrying a man's NIK is how borrowing shows when the holder lives outside the pull)
absent_shared as (
    select nik
    from records
    where nik_status in ('valid', 'sex_mismatch') and nik_found_at_dukcapil is null
    group by nik
    having count(distinct person_id) > 1
),

record_issues as (
    select
        records.person_id,
        records.source,
        records.record_id,
        records.nik,
        records.nik_status,
        coalesce(records.linked_nik, records.repaired_nik) as linked_nik,
        records.conflict_nik,
        case
            when (records.conflict_nik is not null and records.linked_nik is distinct from records.conflict_nik)
                or absent_shared.nik is not null then 'nik_shared'
            when records.nik_status = 'excel_mangled' or records.match_status = 'matched_nik_15'
                then 'nik_excel_mangled'
            when records.nik_status = 'valid' and records.nik_found_at_dukcapil is null
                and records.nik like '%0' and substr(records.linked_nik, 1, 15) = substr(records.nik, 1, 15)
                then 'nik_excel_mangled'
            when records.nik_status <> 'valid' and records.nik_found_at_dukcapil is null then 'nik_invalid'
            when records.nik_status = 'valid' and records.nik_found_at_dukcapil is null
                and verifications.verification_status is distinct from 'PADAN' then 'nik_not_in_dukcapil'
        end as flag_type,
    from records
    left join absent_shared on records.nik = absent_shared.nik
    -- only a valid NIK absent from the pull looks for an answer (the test sits in the join key: a
    -- left-side predicate in ON makes DuckDB plan a nested-loop join)
    left join verifications
        on verifications.nik = case
            when records.nik_status = 'valid' and records.nik_found_at_dukcapil is null then records.nik
        end
),

holder_issues as (
    -- the holder of a NIK somebody else's record carries
    select distinct
        holders.person_id,
        'dukcapil' as source,
        holders.record_id,
        holders.nik,
        holders.nik_status,
        cast(null as varchar) as linked_nik,
        cast(null as varchar) as conflict_nik,
        'nik_shared' as flag_type,
    from record_issues
    inner join holders on record_issues.conflict_nik = holders.record_id
    where record_issues.flag_type = 'nik_shared'
),

issues as (
    select * from record_issues where flag_type is not null
    union all
    select * from holder_issues
)

select
    person_id,
    flag_type,
    count(*) as records,
    string_agg(distinct source || ' ' || record_id || coalesce(' NIK ' || nik, ' (no NIK)'), '; ') as evidence,
    string_agg(distinct nik_status, ', ') as nik_statuses,
    any_value(linked_nik) as suggested_nik,
from issues
group by person_id, flag_type

{#-
    One row per source record (Dukcapil resident, DTKS record, Regsosek member): the deterministic
    NIK match, the first stage of identity resolution.
      1. a DTKS or Regsosek record whose NIK is 16 digits with a real region and date (nik_status
         valid or sex_mismatch) and is found at Dukcapil joins that resident when the identities
         agree (macros names_agree with var('name_similarity_threshold'), birth_dates_agree). If
         they disagree, the NIK is used by someone else: match_status identity_conflict, and
         `conflict_nik` keeps the holder's NIK so that the probabilistic stage never merges the
         record with its holder;
      2. a 16-digit NIK ending in 0 that Dukcapil does not have (valid, or excel_mangled for serial
         0000), whose first 15 digits are those of
         exactly one resident with an agreeing identity, is that resident's NIK cut by a
         spreadsheet (Excel keeps 15 significant digits): match_status matched_nik_15,
         `repaired_nik` the resident's NIK;
      3. a Regsosek member whose valid NIK is not at Dukcapil joins an unmatched DTKS record with the
         same NIK when the identities agree (same person, absent from Dukcapil): `joined_record_id`;
      4. everything else is left for the probabilistic stage (int_linkage_records): `needs_linkage`.
-#}
{%- set threshold = var('name_similarity_threshold') -%}
with dukcapil as (
    select * from {{ ref('int_dukcapil_persons_deduplicated') }}
),

listed as (
    select
        'dtks' as source,
        dtks_person_id as record_id,
        nik,
        nik_status,
        name_normalized,
        birth_date,
    from {{ ref('int_dtks_persons_deduplicated') }}
    union all
    select
        'regsosek' as source,
        regsosek_person_id as record_id,
        nik,
        nik_status,
        name_normalized,
        birth_date,
    from {{ ref('int_regsosek_persons_located') }}
),

compared as (
    select
        listed.*,
        dukcapil.nik as dukcapil_nik,
        jaro_winkler_similarity(listed.name_normalized, dukcapil.name_normalized) as name_similarity,
        {{ names_agree('listed.name_normalized', 'dukcapil.name_normalized', threshold) }}
            and {{ birth_dates_agree('listed.birth_date', 'dukcapil.birth_date') }} as identity_agrees,
    from listed
    -- The usable-NIK test sits inside the join key: a left-side predicate next to the equality in
    -- ON makes DuckDB fall back to a nested-loop join (hours at 1 M persons instead of seconds).
    left join dukcapil
        on dukcapil.nik = case when listed.nik_status in ('valid', 'sex_mismatch') then listed.nik end
),

statused as (
    select
        *,
        case
            when dukcapil_nik is not null and identity_agrees then 'matched'
            when dukcapil_nik is not null then 'identity_conflict'
            when nik_status = 'valid' then 'nik_not_in_dukcapil'
            else 'nik_not_usable'
        end as match_status,
    from compared
),

-- Rule 2: a NIK Excel cut to 15 significant digits (last digit 0) that one resident's identity fits
nik_15_candidates as (
    select
        statused.source,
        statused.record_id,
        dukcapil.nik as repaired_nik,
        count(*) over (partition by statused.source, statused.record_id) as candidates,
    from statused
    inner join dukcapil
        on substr(dukcapil.nik, 1, 15) = case
            when (statused.match_status = 'nik_not_in_dukcapil' or statused.nik_status = 'excel_mangled')
                and regexp_full_match(statused.nik, '^[0-9]{15}0$')
                then substr(statused.nik, 1, 15)
        end
    where {{ names_agree('statused.name_normalized', 'dukcapil.name_normalized', threshold) }}
        and {{ birth_dates_agree('statused.birth_date', 'dukcapil.birth_date') }}
),

repaired as (
    select
        statused.* exclude (match_status),
        case when nik_15.repaired_nik is not null then 'matched_nik_15' else statused.match_status end
            as match_status,
        nik_15.repaired_nik,
    from statused
    left join (select * from nik_15_candidates where candidates = 1) as nik_15
        on statused.source = nik_15.source and statused.record_id = nik_15.record_id
),

-- Rule 3: unmatched DTKS records (valid NIK not at Dukcapil) a Regsosek member can join.
dtks_absent_from_dukcapil as (
    select * from repaired
    where source = 'dtks' and match_status = 'nik_not_in_dukcapil'
    qualify row_number() over (partition by nik order by record_id) = 1
),

joined as (
    select
        repaired.*,
        case
            when repaired.source = 'regsosek'
                and repaired.match_status = 'nik_not_in_dukcapil'
                and {{ names_agree('repaired.name_normalized', 'absent.name_normalized', threshold) }}
                and {{ birth_dates_agree('repaired.birth_date', 'absent.birth_date') }}
                then absent.record_id
        end as joined_record_id,
    from repaired
    left join dtks_absent_from_dukcapil as absent
        on absent.nik = case
            when repaired.source = 'regsosek' and repaired.match_status = 'nik_not_in_dukcapil' then repaired.nik
        end
),

listed_records as (
    select
        source,
        record_id,
        case
            when match_status = 'matched' then 'dukcapil:' || dukcapil_nik
            when match_status = 'matched_nik_15' then 'dukcapil:' || repaired_nik
            when joined_record_id is not null then 'dtks:' || joined_record_id
            else source || ':' || record_id
        end as person_key,
        match_status,
        name_similarity,
        nik,
        nik_status,
        case when match_status = 'identity_conflict' then dukcapil_nik end as conflict_nik,
        -- the NIK proves who the record is (also when the name disagrees: training labels for Splink)
        dukcapil_nik as nik_found_at_dukcapil,
        repaired_nik,
        joined_record_id,
        match_status not in ('matched', 'matched_nik_15') and joined_record_id is null as needs_linkage,
    from joined
),

dukcapil_records as (
    select
        'dukcapil' as source,
        nik as record_id,
        'dukcapil:' || nik as person_key,
        'authority' as match_status,
        cast(null as double) as name_similarity,
        nik,
        nik_status,
        cast(null as varchar) as conflict_nik,
        nik as nik_found_at_dukcapil,
        cast(null as varchar) as repaired_nik,
        cast(null as varchar) as joined_record_id,
        false as needs_linkage,
    from dukcapil
)

select * from dukcapil_records
union all
select * from listed_records

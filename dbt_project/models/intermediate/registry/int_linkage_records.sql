{#-
    One row per record entering the probabilistic linkage (the input of int_linkage_predictions,
    Splink): every Dukcapil resident (source_dataset 'dukcapil', unique_id = the NIK) and every DTKS
    and Regsosek record (source_dataset 'listed', unique_id = '<source>:<record_id>'). All listed
    records train the model (`nik_label`: the NIK found at Dukcapil proves the pair); only those the
    deterministic stage left unresolved (`to_link`) are scored.
      name_prefix         first three letters of the normalised name (blocking with region_code)
      name_key            the name's words sorted, in the spelling key (macro name_words_key):
                          SRI HANDAYANI = HANDAYANI SRI, HENDRA WIDJAJA = HENDRA WIJAYA
      birth_date_swapped  the birth date with day and month swapped, when that is a different date
      kk_number           family context: DTKS NOKK; for a Regsosek member the Dukcapil KK that the
                          NIK match found for most of the member's family, else the Regsosek NO_KK;
                          only structurally valid numbers (kk_status: no all-zero placeholders)
      dtks_desa_codes, dtks_kk_numbers, regsosek_desa_codes, regsosek_kk_numbers
                          (Dukcapil residents only) where the other sources knew the resident: desa
                          and KK of the DTKS records / Regsosek members the NIK match proved to be
                          them. A family that moved has a new desa and KK at Dukcapil while its
                          unresolved records still show the old ones; Splink compares a DTKS record
                          with the Regsosek history and a Regsosek member with the DTKS history, so
                          a record never meets its own place (training stays honest).
      nik_15, nik_6       what a NIK still tells when damaged: its first 15 digits (16-digit NIKs
                          ending in 0 and NIKs with a spreadsheet `.0`) and its first 6 digits (also recovered from
                          scientific notation `3.57101E+15`); null when the NIK belongs to somebody
                          else (identity_conflict) or is missing
-#}
with records as (
    select * from {{ ref('int_person_records_nik_matched') }}
),

dukcapil as (
    select * from {{ ref('int_dukcapil_persons_deduplicated') }}
),

dtks as (
    select * from {{ ref('int_dtks_persons_deduplicated') }}
),

regsosek as (
    select * from {{ ref('int_regsosek_persons_located') }}
),

-- the Dukcapil family card most of a Regsosek family's NIK-matched members carry
family_kk as (
    select
        regsosek.regsosek_family_id,
        mode(dukcapil.kk_number) as dukcapil_kk_number,
    from regsosek
    inner join records
        on records.source = 'regsosek'
        and records.record_id = regsosek.regsosek_person_id
        and records.match_status = 'matched'
    inner join dukcapil on records.nik_found_at_dukcapil = dukcapil.nik
    group by regsosek.regsosek_family_id
),

listed as (
    select
        'dtks:' || dtks.dtks_person_id as unique_id,
        'dtks' as source,
        dtks.dtks_person_id as record_id,
        dtks.name_normalized,
        dtks.birth_date,
        dtks.sex,
        dtks.desa_code,
        dtks.region_code,
        case when dtks.kk_status = 'valid' then dtks.kk_number end as kk_number,
        case when dtks.kk_status = 'valid' then dtks.kk_number end as own_kk_number,
        dtks.nik,
    from dtks
    union all
    select
        'regsosek:' || regsosek.regsosek_person_id as unique_id,
        'regsosek' as source,
        regsosek.regsosek_person_id as record_id,
        regsosek.name_normalized,
        regsosek.birth_date,
        regsosek.sex,
        regsosek.desa_code,
        regsosek.region_code,
        coalesce(family_kk.dukcapil_kk_number,
                 case when regsosek.family_kk_status = 'valid' then regsosek.family_kk_number end) as kk_number,
        case when regsosek.family_kk_status = 'valid' then regsosek.family_kk_number end as own_kk_number,
        regsosek.nik,
    from regsosek
    left join family_kk on regsosek.regsosek_family_id = family_kk.regsosek_family_id
),

listed_features as (
    select
        listed.unique_id,
        'listed' as source_dataset,
        listed.source,
        listed.record_id,
        listed.name_normalized,
        listed.birth_date,
        listed.sex,
        listed.desa_code,
        listed.region_code,
        listed.kk_number,
        case
            when records.conflict_nik is not null then null
            -- only where Excel can have cut it: a last digit 0, or a spreadsheet `.0` (a twin's NIK
            -- differs from its sibling's in the last digit only)
            when regexp_full_match(listed.nik, '^[0-9]{15}0$') or regexp_full_match(listed.nik, '^[0-9]{16}[.,]0+$')
                then substr(listed.nik, 1, 15)
        end as nik_15,
        case
            when records.conflict_nik is not null then null
            when regexp_full_match(listed.nik, '^[0-9]{16}([.,]0+)?$') then substr(listed.nik, 1, 6)
            when regexp_full_match(listed.nik, '^[0-9][.,][0-9]+[eE][+]?15$')
                then substr(rpad(regexp_replace(regexp_extract(listed.nik, '^([0-9][.,][0-9]+)', 1), '[.,]', ''), 6, '0'), 1, 6)
        end as nik_6,
        records.nik_found_at_dukcapil as nik_label,
        records.conflict_nik,
        records.needs_linkage as to_link,
        cast(null as varchar[]) as dtks_desa_codes,
        cast(null as varchar[]) as dtks_kk_numbers,
        cast(null as varchar[]) as regsosek_desa_codes,
        cast(null as varchar[]) as regsosek_kk_numbers,
    from listed
    inner join records on records.source = listed.source and records.record_id = listed.record_id
),

-- where the other sources knew each resident: the records the NIK match proved to be them
known_at as (
    select
        coalesce(records.repaired_nik, records.nik_found_at_dukcapil) as nik,
        list_distinct(list(listed.desa_code) filter (where listed.source = 'dtks' and listed.desa_code is not null))
            as dtks_desa_codes,
        list_distinct(list(listed.own_kk_number) filter (where listed.source = 'dtks' and listed.own_kk_number is not null))
            as dtks_kk_numbers,
        list_distinct(list(listed.desa_code) filter (where listed.source = 'regsosek' and listed.desa_code is not null))
            as regsosek_desa_codes,
        list_distinct(list(listed.own_kk_number) filter (where listed.source = 'regsosek' and listed.own_kk_number is not null))
            as regsosek_kk_numbers,
    from listed
    inner join records on records.source = listed.source and records.record_id = listed.record_id
    where records.match_status in ('matched', 'matched_nik_15')
    group by all
),

dukcapil_features as (
    select
        dukcapil.nik as unique_id,
        'dukcapil' as source_dataset,
        'dukcapil' as source,
        dukcapil.nik as record_id,
        dukcapil.name_normalized,
        dukcapil.birth_date,
        dukcapil.sex,
        dukcapil.desa_code,
        dukcapil.region_code,
        case when dukcapil.kk_status = 'valid' then dukcapil.kk_number end as kk_number,
        case when regexp_full_match(dukcapil.nik, '^[0-9]{16}$') then substr(dukcapil.nik, 1, 15) end as nik_15,
        case when regexp_full_match(dukcapil.nik, '^[0-9]{16}$') then substr(dukcapil.nik, 1, 6) end as nik_6,
        dukcapil.nik as nik_label,
        cast(null as varchar) as conflict_nik,
        false as to_link,
        known_at.dtks_desa_codes,
        known_at.dtks_kk_numbers,
        known_at.regsosek_desa_codes,
        known_at.regsosek_kk_numbers,
    from dukcapil
    left join known_at on dukcapil.nik = known_at.nik
),

unioned as (
    select * from dukcapil_features
    union all
    select * from listed_features
)

select
    *,
    substr(name_normalized, 1, 3) as name_prefix,
    {{ name_words_key('name_normalized') }} as name_key,
    case
        when day(birth_date) <= 12 and day(birth_date) <> month(birth_date)
            then make_date(year(birth_date), day(birth_date), month(birth_date))
    end as birth_date_swapped,
from unioned

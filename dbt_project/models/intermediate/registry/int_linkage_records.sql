{#-
    One row per record entering the probabilistic linkage (the input of int_linkage_predictions,
    Splink): every Dukcapil resident (source_dataset 'dukcapil', unique_id = the NIK) and every DTKS
    and Regsosek record (source_dataset 'listed', unique_id = '<source>:<record_id>'). All listed
    records train the model (`nik_label`: the NIK found at Dukcapil proves the pair); only those the
    deterministic stage left unresolved (`to_link`) are scored.
      name_prefix         first three letters of the normalised name (blocking with region_code)
      birth_date_swapped  the birth date with day and month swapped, when that is a different date
      kk_number           family context: DTKS NOKK; for a Regsosek member the Dukcapil KK that the
                          NIK match found for most of the member's family, else the Regsosek NO_KK
      nik_15, nik_6       what a NIK still tells when damaged: its first 15 digits (16-digit NIKs and
                          NIKs with a spreadsheet `.0`) and its first 6 digits (also recovered from
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
        dtks.kk_number,
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
        coalesce(family_kk.dukcapil_kk_number, regsosek.family_kk_number) as kk_number,
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
            when regexp_full_match(listed.nik, '^[0-9]{16}([.,]0+)?$') then substr(listed.nik, 1, 15)
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
    from listed
    inner join records on records.source = listed.source and records.record_id = listed.record_id
),

dukcapil_features as (
    select
        nik as unique_id,
        'dukcapil' as source_dataset,
        'dukcapil' as source,
        nik as record_id,
        name_normalized,
        birth_date,
        sex,
        desa_code,
        region_code,
        kk_number,
        case when regexp_full_match(nik, '^[0-9]{16}$') then substr(nik, 1, 15) end as nik_15,
        case when regexp_full_match(nik, '^[0-9]{16}$') then substr(nik, 1, 6) end as nik_6,
        nik as nik_label,
        cast(null as varchar) as conflict_nik,
        false as to_link,
    from dukcapil
),

unioned as (
    select * from dukcapil_features
    union all
    select * from listed_features
)

select
    *,
    substr(name_normalized, 1, 3) as name_prefix,
    case
        when day(birth_date) <= 12 and day(birth_date) <> month(birth_date)
            then make_date(year(birth_date), day(birth_date), month(birth_date))
    end as birth_date_swapped,
from unioned

{#-
    One row per source record (Dukcapil resident, DTKS record, Regsosek member) and the person it
    belongs to (`person_key`). The deterministic match:
      1. a DTKS or Regsosek record with a structurally valid NIK found at Dukcapil joins that resident
         when the identities agree: normalised names Jaro-Winkler >= var('name_similarity_threshold')
         and birth dates equal (or one missing). If they disagree the NIK is used by someone else:
         the record stays its own person (match_status identity_conflict) and the NIK is flagged shared;
      2. a Regsosek member not at Dukcapil joins an unmatched DTKS record with the same valid NIK when
         the identities agree (same person, absent from Dukcapil);
      3. everything else (missing/invalid NIK, NIK not at Dukcapil) is its own person: never dropped.
-#}
{%- set threshold = var('name_similarity_threshold') -%}
with dukcapil as (
    select * from {{ ref('int_dukcapil_persons_deduplicated') }}
),

dtks as (
    select * from {{ ref('int_dtks_persons_deduplicated') }}
),

regsosek as (
    select * from {{ ref('int_regsosek_persons_located') }}
),

dtks_compared as (
    select
        dtks.dtks_person_id,
        dtks.nik,
        dtks.nik_status,
        dtks.name_normalized,
        dtks.birth_date,
        dukcapil.nik as dukcapil_nik,
        jaro_winkler_similarity(dtks.name_normalized, dukcapil.name_normalized) as name_similarity,
        dtks.birth_date is null or dukcapil.birth_date is null or dtks.birth_date = dukcapil.birth_date
            as birth_date_agrees,
    from dtks
    left join dukcapil
        on dtks.nik_status = 'valid'
        and dtks.nik = dukcapil.nik
),

dtks_matched as (
    select
        'dtks' as source,
        dtks_person_id as record_id,
        case
            when dukcapil_nik is not null and name_similarity >= {{ threshold }} and birth_date_agrees
                then 'dukcapil:' || dukcapil_nik
            else 'dtks:' || dtks_person_id
        end as person_key,
        case
            when nik_status <> 'valid' then 'nik_not_usable'
            when dukcapil_nik is null then 'nik_not_in_dukcapil'
            when name_similarity >= {{ threshold }} and birth_date_agrees then 'matched'
            else 'identity_conflict'
        end as match_status,
        name_similarity,
        nik,
        name_normalized,
        birth_date,
    from dtks_compared
),

regsosek_compared as (
    select
        regsosek.regsosek_person_id,
        regsosek.nik,
        regsosek.nik_status,
        regsosek.name_normalized,
        regsosek.birth_date,
        dukcapil.nik as dukcapil_nik,
        jaro_winkler_similarity(regsosek.name_normalized, dukcapil.name_normalized) as name_similarity,
        regsosek.birth_date is null or dukcapil.birth_date is null or regsosek.birth_date = dukcapil.birth_date
            as birth_date_agrees,
    from regsosek
    left join dukcapil
        on regsosek.nik_status = 'valid'
        and regsosek.nik = dukcapil.nik
),

-- Rule 2: unmatched DTKS records (valid NIK not at Dukcapil) a Regsosek member can join.
dtks_absent_from_dukcapil as (
    select * from dtks_matched
    where match_status = 'nik_not_in_dukcapil'
    qualify row_number() over (partition by nik order by record_id) = 1
),

regsosek_matched as (
    select
        'regsosek' as source,
        regsosek_compared.regsosek_person_id as record_id,
        case
            when regsosek_compared.dukcapil_nik is not null
                and regsosek_compared.name_similarity >= {{ threshold }}
                and regsosek_compared.birth_date_agrees
                then 'dukcapil:' || regsosek_compared.dukcapil_nik
            when regsosek_compared.dukcapil_nik is null
                and absent.record_id is not null
                and jaro_winkler_similarity(regsosek_compared.name_normalized, absent.name_normalized) >= {{ threshold }}
                and (regsosek_compared.birth_date is null or absent.birth_date is null
                     or regsosek_compared.birth_date = absent.birth_date)
                then absent.person_key
            else 'regsosek:' || regsosek_compared.regsosek_person_id
        end as person_key,
        case
            when regsosek_compared.nik_status <> 'valid' then 'nik_not_usable'
            when regsosek_compared.dukcapil_nik is null then 'nik_not_in_dukcapil'
            when regsosek_compared.name_similarity >= {{ threshold }} and regsosek_compared.birth_date_agrees
                then 'matched'
            else 'identity_conflict'
        end as match_status,
        regsosek_compared.name_similarity,
        regsosek_compared.nik,
        regsosek_compared.name_normalized,
        regsosek_compared.birth_date,
    from regsosek_compared
    left join dtks_absent_from_dukcapil as absent
        on regsosek_compared.dukcapil_nik is null
        and regsosek_compared.nik_status = 'valid'
        and regsosek_compared.nik = absent.nik
),

dukcapil_records as (
    select
        'dukcapil' as source,
        nik as record_id,
        'dukcapil:' || nik as person_key,
        'authority' as match_status,
        cast(null as double) as name_similarity,
        nik,
        name_normalized,
        birth_date,
    from dukcapil
),

unioned as (
    select * from dukcapil_records
    union all
    select * from dtks_matched
    union all
    select * from regsosek_matched
)

select
    source,
    record_id,
    person_key,
    'P' || substr({{ keyed_hash('person_key', 'person') }}, 1, 23) as person_id,
    match_status,
    name_similarity,
from unioned

{#-
    One row per candidate pair a region must resolve by hand (issue 5, identity resolution): a DTKS or
    Regsosek record the NIK match left unresolved whose Splink linkage is uncertain
    (int_person_source_records.is_in_clerical_review), with every Dukcapil candidate scored at or above
    var('linkage_review_threshold'). Uncertain means: the best candidate lies in
    [linkage_review_threshold, linkage_match_threshold), another candidate is nearly as likely (the
    best one's share of the candidates stays under linkage_match_threshold), or the record's own NIK
    is not in the pull and its name disagrees (int_person_source_records.review_reason). Until a region decides, the record stays its own person (not merged).
    The region is the record's (its operators hold the KTP/KK to check against).
-#}
{%- set match_threshold = var('linkage_match_threshold') -%}
{%- set review_threshold = var('linkage_review_threshold') -%}
with in_review as (
    select source, record_id, nik_status, match_status, review_reason
    from {{ ref('int_person_source_records') }}
    where is_in_clerical_review
),

predictions as (
    select * from {{ ref('int_linkage_predictions') }}
    where match_probability >= {{ review_threshold }}
),

records as (
    select
        'dtks' as source, dtks_person_id as record_id, nik, full_name, birth_date,
        region_code, kecamatan_code, desa_code,
    from {{ ref('int_dtks_persons_deduplicated') }}
    union all
    select
        'regsosek' as source, regsosek_person_id as record_id, nik, full_name, birth_date,
        region_code, kecamatan_code, desa_code,
    from {{ ref('int_regsosek_persons_located') }}
),

candidates as (
    select
        dukcapil.nik,
        dukcapil.full_name,
        dukcapil.birth_date,
        owners.person_id,
    from {{ ref('int_dukcapil_persons_deduplicated') }} as dukcapil
    inner join {{ ref('int_person_source_records') }} as owners
        on owners.source = 'dukcapil' and owners.record_id = dukcapil.nik
),

pairs as (
    select
        in_review.source,
        in_review.record_id,
        in_review.nik_status as record_nik_status,
        in_review.match_status,
        in_review.review_reason,
        predictions.dukcapil_nik,
        predictions.match_probability,
        predictions.match_weight,
        predictions.weight_name,
        predictions.weight_birth_date,
        predictions.weight_place,
        predictions.weight_family,
        row_number() over (
            partition by in_review.source, in_review.record_id
            order by predictions.match_weight desc, predictions.dukcapil_nik
        ) as candidate_rank,
        count(*) over (partition by in_review.source, in_review.record_id) as candidates_in_review,
    from in_review
    inner join predictions on predictions.record_id = in_review.source || ':' || in_review.record_id
),

explained as (
    select
        pairs.*,
        concat_ws(', ',
            case when weight_name > 0 then 'nama mirip' else 'nama berbeda' end,
            case
                when weight_birth_date is null then null
                when weight_birth_date > 0 then 'tanggal lahir cocok'
                else 'tanggal lahir berbeda'
            end,
            case when weight_place > 0 then 'alamat sama' when weight_place < 0 then 'alamat berbeda' end,
            case when weight_family > 0 then 'nomor KK sama' end,
            case
                when match_status = 'identity_conflict' then 'NIK rekaman milik penduduk lain'
                when record_nik_status = 'valid' then 'NIK rekaman tidak ada di Dukcapil'
                else 'NIK rekaman tidak dapat dipakai (' || record_nik_status || ')'
            end
        ) as evidence,
    from pairs
),

final as (
    select
        'CR-' || substr({{ keyed_hash("explained.source || ':' || explained.record_id || '|' || explained.dukcapil_nik", 'review') }}, 1, 20)
            as review_id,
        records.region_code,
        records.kecamatan_code,
        records.desa_code,
        explained.source,
        explained.record_id as source_record_id,
        records.nik as record_nik,
        records.full_name as record_name,
        records.birth_date as record_birth_date,
        candidates.person_id as candidate_person_id,
        explained.dukcapil_nik as candidate_nik,
        candidates.full_name as candidate_name,
        candidates.birth_date as candidate_birth_date,
        cast(explained.match_probability as double) as match_probability,
        cast(explained.match_weight as double) as match_weight,
        case
            when explained.review_reason = 'near_equal_rival' then
                'kecocokan ' || printf('%.1f%%', explained.match_probability * 100)
                || ', tetapi ada penduduk Dukcapil lain yang hampir sama cocok (' || explained.evidence || ')'
            when explained.review_reason = 'nik_and_name_disagree' then
                'kecocokan ' || printf('%.1f%%', explained.match_probability * 100)
                || ', tetapi nama tidak sesuai: mungkin saudara kembar atau anggota keluarga lain ('
                || explained.evidence || ')'
            else
                'kecocokan ' || printf('%.1f%%', explained.match_probability * 100) || ' di bawah ambang cocok '
                || printf('%.0f%%', {{ match_threshold }} * 100) || ' (' || explained.evidence || ')'
        end as reason,
        'Cocokkan dengan KTP/KK warga: jika orang yang sama, tautkan rekaman ' || upper(explained.source) || ' '
            || explained.record_id || ' ke NIK ' || explained.dukcapil_nik
            || '; jika bukan, tandai bukan orang yang sama dan perbaiki NIK pada rekaman' as action,
        cast(explained.candidate_rank as integer) as candidate_rank,
        cast(explained.candidates_in_review as integer) as candidates_in_review,
        explained.record_nik_status,
    from explained
    inner join records on explained.source = records.source and explained.record_id = records.record_id
    left join candidates on explained.dukcapil_nik = candidates.nik
)

select * from final

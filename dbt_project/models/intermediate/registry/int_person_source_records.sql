{#-
    One row per source record (Dukcapil resident, DTKS record, Regsosek member) and the person it
    belongs to (`person_key`, `person_id`): the deterministic NIK match (int_person_records_nik_matched)
    completed by the probabilistic linkage (int_linkage_predictions, Splink). A record the NIK match
    left unresolved joins the Dukcapil resident Splink ranks first when
        match_probability >= var('linkage_match_threshold')
    and that resident's share of the record's candidates (2^weight over the sum of 2^weight: at most
    one of them is the person) reaches the same threshold. Otherwise, from
    var('linkage_review_threshold') up, the pair goes to clerical review (fct_clerical_review) with
    `review_reason`: below_match_threshold; near_equal_rival (twins, a namesake in the same family);
    nik_and_name_disagree: the record carries a well-formed NIK of its own, absent from the pull and so
    not the candidate's, and the names disagree (macro names_agree, as for a NIK match) while birth
    date, place and family card say yes: a twin or sibling whose NIK is not in the pull. The record
    stays its own person until a region decides. A Regsosek member joined to a DTKS record by a NIK absent from Dukcapil follows that record.
    A resident whose NIK the record carries but whose identity contradicts it (identity_conflict) is
    never a candidate (see terpadu.linkage).
-#}
{%- set match_threshold = var('linkage_match_threshold') -%}
{%- set review_threshold = var('linkage_review_threshold') -%}
{%- set name_threshold = var('name_similarity_threshold') -%}
with records as (
    select * from {{ ref('int_person_records_nik_matched') }}
),

predictions as (
    select * from {{ ref('int_linkage_predictions') }}
),

best as (
    select
        record_id as unique_id,
        arg_max(dukcapil_nik, match_weight) as dukcapil_nik,
        max(match_probability) as match_probability,
        -- the best candidate's share: 1 / sum of 2^(weight - best weight) over the candidates
        1 / sum(pow(2, match_weight - best_weight)) as best_candidate_share,
    from (select *, max(match_weight) over (partition by record_id) as best_weight from predictions)
    group by record_id
),

linkage_records as (
    select unique_id, name_normalized from {{ ref('int_linkage_records') }}
),

best_named as (
    select
        best.*,
        -- a missing name cannot contradict
        coalesce({{ names_agree('listed.name_normalized', 'resident.name_normalized', name_threshold) }}, true)
            as names_agree,
    from best
    left join linkage_records as listed on listed.unique_id = best.unique_id
    left join linkage_records as resident on resident.unique_id = best.dukcapil_nik
),

decided as (
    select
        records.*,
        best.dukcapil_nik as linked_nik,
        best.match_probability,
        case
            when best.unique_id is null or best.match_probability < {{ review_threshold }} then 'no_candidate'
            when best.match_probability < {{ match_threshold }} then 'below_match_threshold'
            when best.best_candidate_share < {{ match_threshold }} then 'near_equal_rival'
            -- the record's own well-formed NIK is not in the pull (so not the candidate's) and the
            -- name disagrees: a twin or sibling, not a typo (an identity conflict's NIK is the candidate's)
            when not best.names_agree and records.nik_status in ('valid', 'sex_mismatch')
                and records.conflict_nik is null then 'nik_and_name_disagree'
            else 'linked'
        end as linkage_outcome,
    from records
    -- only records that need linkage look for a candidate; the test sits inside the join key because a
    -- left-side predicate in ON makes DuckDB fall back to a nested-loop join
    left join best_named as best
        on best.unique_id = case when records.needs_linkage then records.source || ':' || records.record_id end
),

keyed as (
    select
        *,
        case when linkage_outcome = 'linked' then 'dukcapil:' || linked_nik else person_key end as resolved_key,
        case linkage_outcome when 'linked' then 'linked' when 'no_candidate' then 'no_candidate' else 'review' end
            as linkage_decision,
    from decided
),

followed as (
    -- a Regsosek member joined to a DTKS record (same NIK, absent from Dukcapil) follows its resolution
    select
        keyed.* exclude (resolved_key),
        coalesce(dtks.resolved_key, keyed.resolved_key) as person_key_final,
    from keyed
    left join (select * from keyed where source = 'dtks') as dtks
        on dtks.record_id = keyed.joined_record_id
)

select
    source,
    record_id,
    person_key_final as person_key,
    'P' || substr({{ keyed_hash('person_key_final', 'person') }}, 1, 23) as person_id,
    case when linkage_decision = 'linked' then 'linked_probabilistic' else match_status end as match_status,
    case
        when source = 'dukcapil' then 'authority'
        when match_status = 'matched' then 'nik'
        when match_status = 'matched_nik_15' then 'nik_15'
        when linkage_decision = 'linked' then 'splink'
        when joined_record_id is not null then 'nik_absent_from_dukcapil'
        else 'none'
    end as match_method,
    match_probability,
    coalesce(linkage_decision = 'review', false) as is_in_clerical_review,
    case when linkage_decision = 'review' then linkage_outcome end as review_reason,
    name_similarity,
    nik,
    nik_status,
    conflict_nik,
    nik_found_at_dukcapil,
    repaired_nik,
    case when linkage_decision = 'linked' then linked_nik end as linked_nik,
from followed

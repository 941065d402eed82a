{#-
    One row per current kab/kota workbook row (usulan, sanggahan, ground check; a row id repeated in a
    later workbook keeps the newest period's row, macro newest_workbook_row), matched to the person
    its NIK names (int_persons_by_nik: one person per valid NIK, the Dukcapil holder when shared).
    The one place where a workbook NIK becomes a person: fct_usulan, fct_sanggahan and
    int_ground_checks_matched join this model on the row id.

    Region operators type NIKs in Excel, which damages some (DOMAIN.md). The first route that has
    a candidate decides (a route that is ambiguous or contradicted leaves the row unmatched):
      exact           the NIK as delivered is a registry NIK;
      excel_float     'NNNNNNNNNNNNNNNN.0', a NIK stored as a number and re-exported: the 16 digits are
                      the NIK (then nik_match_method excel_float, not exact). Above 2^53 a double
                      keeps only even integers, so a NIK found there may be one off: when the digits
                      name nobody, exactly one registry NIK at +-1 with an agreeing identity;
      excel_15        16 digits ending in 0 (or the digits of such a float) that name nobody: Excel
                      kept 15 significant digits. Exactly one registry NIK with the same first 15
                      digits, whose identity agrees with the row's;
      excel_sci_name  '3.57101E+15': the number rounded to its shown significant digits (at least 6,
                      so at most two kecamatan prefixes), which leaves a whole kecamatan of NIKs.
                      Only with a name on the row: exactly one person with a NIK the number can stand
                      for has the same name (macro same_name: names_agree is too lenient to pick one
                      person out of a kecamatan) and an agreeing birth date, and that person lives in
                      the row's region (address or DTKS). Without a name: unmatched.
    Identity agrees (only where the row carries it; sanggahan and ground checks carry neither): the
    names (normalize_name, macro names_agree with var('name_similarity_threshold')) and birth dates
    (macro birth_dates_agree). No contract has a birth date yet: `birth_date` stays null until one does.
    Exact matches are taken as before, without an identity test.

    Every candidate is found by an equality join (the NIK, its first 15 digits, its kecamatan digits)
    so DuckDB hashes them; the route conditions sit in the join keys or in WHERE after an inner join.
-#}
{%- set threshold = var('name_similarity_threshold') -%}
with rows_usulan as (
    {{ newest_workbook_row(ref('stg_kabkota__usulan'), 'usulan_id') }}
),

rows_sanggahan as (
    {{ newest_workbook_row(ref('stg_kabkota__sanggahan'), 'sanggahan_id') }}
),

rows_ground_check as (
    {{ newest_workbook_row(ref('stg_kabkota__ground_checks'), 'ground_check_id') }}
),

workbook_rows as (
    select
        'usulan' as workbook,
        usulan_id as workbook_row_id,
        region_code,
        nik,
        name_normalized,
        cast(null as date) as birth_date,
    from rows_usulan
    union all
    select
        'sanggahan', sanggahan_id, region_code, nik, cast(null as varchar), cast(null as date),
    from rows_sanggahan
    union all
    select
        'ground_check', ground_check_id, region_code, nik, cast(null as varchar), cast(null as date),
    from rows_ground_check
),

-- The forms a NIK takes: 16 digits, a float re-export, scientific notation.
parsed as (
    select
        *,
        case
            when regexp_full_match(nik, '[0-9]{16}') then 'digits'
            when regexp_full_match(nik, '[0-9]{16}[.,]0+') then 'float'
            when regexp_full_match(nik, '[1-9][.,][0-9]{5,15}[eE][+]?15') then 'scientific'
        end as nik_form,
        case
            when regexp_full_match(nik, '[0-9]{16}([.,]0+)?') then substr(nik, 1, 16)
        end as nik_digits,
    from workbook_rows
),

routed as (
    select
        *,
        -- float above 2^53: the double may have moved the NIK by one
        case when nik_form = 'float' and cast(nik_digits as bigint) > 9007199254740992 then [
            cast(cast(nik_digits as bigint) - 1 as varchar),
            cast(cast(nik_digits as bigint) + 1 as varchar)
        ] end as float_neighbours,
        -- Excel's 15 significant digits (a float at or below 2^53 is exact: its digits may be cut too)
        case
            when nik_digits like '%0'
                and (nik_form = 'digits' or cast(nik_digits as bigint) <= 9007199254740992)
                then substr(nik_digits, 1, 15)
        end as excel_15_prefix,
        case when nik_form = 'scientific' then
            regexp_extract(nik, '^([1-9])[.,]([0-9]+)', ['lead', 'decimals'])
        end as scientific,
    from parsed
),

scientific_ranges as (
    select
        workbook,
        workbook_row_id,
        region_code,
        name_normalized,
        birth_date,
        value - unit // 2 as lowest_nik,
        value + unit // 2 as highest_nik,
    from (
        select
            *,
            cast(scientific.lead || scientific.decimals as bigint)
                * cast(10 ** (15 - length(scientific.decimals)) as bigint) as value,
            cast(10 ** (15 - length(scientific.decimals)) as bigint) as unit,
        from routed
        where nik_form = 'scientific' and name_normalized is not null
    )
),

scientific_kecamatan as (
    -- the (at most two) kecamatan prefixes the range covers: the key of the candidates' hash join
    select
        * exclude (kecamatan_digits),
        unnest(kecamatan_digits) as kecamatan_digits,
    from (
        select
            *,
            list_distinct([
                substr(cast(lowest_nik as varchar), 1, 6), substr(cast(highest_nik as varchar), 1, 6)
            ]) as kecamatan_digits,
        from scientific_ranges
    )
),

persons as (
    select
        by_nik.nik,
        by_nik.person_id,
        by_nik.region_code,
        by_nik.dtks_region_code,
        integrated.full_name,
        integrated.birth_date,
    from {{ ref('int_persons_by_nik') }} as by_nik
    left join {{ ref('int_persons_integrated') }} as integrated on by_nik.person_id = integrated.person_id
),

-- route 1: the delivered digits (plain or float) are a registry NIK
exact_candidates as (
    select
        routed.workbook,
        routed.workbook_row_id,
        1 as route,
        case when routed.nik_form = 'float' then 'excel_float' else 'exact' end as nik_match_method,
        persons.nik as matched_nik,
        persons.person_id,
        true as is_accepted,
    from routed
    inner join persons on persons.nik = routed.nik_digits
),

-- routes 2 and 3: the NIK at +-1 of a float above 2^53, or with the same first 15 digits
near_candidates as (
    select
        routed.workbook,
        routed.workbook_row_id,
        2 as route,
        'excel_float' as nik_match_method,
        persons.nik as matched_nik,
        persons.person_id,
        routed.name_normalized,
        routed.birth_date,
        {{ normalize_name('persons.full_name') }} as person_name_normalized,
        persons.birth_date as person_birth_date,
    from (select *, unnest(float_neighbours) as neighbour from routed where float_neighbours is not null) as routed
    inner join persons on persons.nik = routed.neighbour
    union all
    select
        routed.workbook,
        routed.workbook_row_id,
        3 as route,
        'excel_15' as nik_match_method,
        persons.nik as matched_nik,
        persons.person_id,
        routed.name_normalized,
        routed.birth_date,
        {{ normalize_name('persons.full_name') }} as person_name_normalized,
        persons.birth_date as person_birth_date,
    from routed
    inner join persons on substr(persons.nik, 1, 15) = routed.excel_15_prefix
),

near_checked as (
    select
        workbook,
        workbook_row_id,
        route,
        nik_match_method,
        matched_nik,
        person_id,
        -- no name on the row (or none in the registry) is no contradiction
        (
            name_normalized is null or person_name_normalized is null
            or {{ names_agree('name_normalized', 'person_name_normalized', threshold) }}
        ) and {{ birth_dates_agree('birth_date', 'person_birth_date') }} as is_accepted,
    from near_candidates
),

-- route 4: scientific notation - the persons of the number's range with the row's name (and birth date)
scientific_joined as (
    select
        wb.workbook,
        wb.workbook_row_id,
        wb.region_code,
        wb.name_normalized,
        wb.birth_date,
        persons.nik,
        persons.person_id,
        persons.region_code as person_region_code,
        persons.dtks_region_code as person_dtks_region_code,
        {{ normalize_name('persons.full_name') }} as person_name_normalized,
        persons.birth_date as person_birth_date,
    from scientific_kecamatan as wb
    inner join persons on substr(persons.nik, 1, 6) = wb.kecamatan_digits
    where cast(persons.nik as bigint) between wb.lowest_nik and wb.highest_nik
),

scientific_candidates as (
    select
        workbook,
        workbook_row_id,
        4 as route,
        'excel_sci_name' as nik_match_method,
        nik as matched_nik,
        person_id,
        coalesce(region_code in (person_region_code, person_dtks_region_code), false) as is_accepted,
    from scientific_joined
    where {{ same_name('name_normalized', 'person_name_normalized') }}
        and {{ birth_dates_agree('birth_date', 'person_birth_date') }}
),

candidates as (
    select * from exact_candidates
    union all by name
    select * from near_checked
    union all by name
    select * from scientific_candidates
),

-- the first route with a candidate decides: it matches when it has exactly one, and that one is accepted
decided as (
    select
        workbook,
        workbook_row_id,
        any_value(nik_match_method) as nik_match_method,
        count(*) as candidates,
        any_value(matched_nik) as matched_nik,
        any_value(person_id) as person_id,
        count(*) = 1 and bool_and(is_accepted) as is_matched,
    from candidates
    group by workbook, workbook_row_id, route
    qualify row_number() over (partition by workbook, workbook_row_id order by route) = 1
),

final as (
    select
        workbook_rows.workbook,
        workbook_rows.workbook_row_id,
        workbook_rows.region_code,
        workbook_rows.nik,
        case when decided.is_matched then decided.nik_match_method end as nik_match_method,
        case when decided.is_matched then decided.matched_nik end as matched_nik,
        cast(coalesce(decided.candidates, 0) as integer) as nik_match_candidates,
        by_nik.person_id,
        by_nik.family_id,
        by_nik.desa_code,
        by_nik.dtks_desa_code,
    from workbook_rows
    left join decided
        on workbook_rows.workbook = decided.workbook and workbook_rows.workbook_row_id = decided.workbook_row_id
    left join {{ ref('int_persons_by_nik') }} as by_nik
        on by_nik.nik = case when decided.is_matched then decided.matched_nik end
)

select * from final

with ranked as (
    select * from {{ ref('int_families_ranked') }}
),

final as (
    select
        family_id,
        kk_number,
        region_code,
        kecamatan_code,
        desa_code,
        province_code,
        cast(members as integer) as members,
        cast(predicted_log_expenditure as double) as predicted_log_expenditure,
        cast(predicted_expenditure_per_capita as double) as predicted_expenditure_per_capita,
        desil,
        desil_province,
        top_factors,
        pmt_weights_version,
        cast(missing_codes as integer) as missing_codes,
    from ranked
)

select * from final

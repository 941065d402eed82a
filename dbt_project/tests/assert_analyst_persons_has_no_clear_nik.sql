-- The analyst mart must never carry a clear NIK: no column may hold a value equal to a NIK.
with niks as (
    select nik from {{ ref('dim_persons') }} where nik is not null
),

analyst_values as (
    select unnest(list_value(
        nik_hash, region_code, kecamatan_code, desa_code, family_id, sex, cast(birth_year as varchar)
    )) as value
    from {{ ref('analyst_persons') }}
)

select value from analyst_values
where value in (select nik from niks)

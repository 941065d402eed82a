with source as (
    select * from {{ source('reference', 'penduduk_kabkota_2024s2') }}
),

renamed as (
    select
        trim(kode_kabupaten) as region_code,
        cast(total as bigint) as population_dec_2024,
        cast(laki_laki as bigint) as population_male,
        cast(perempuan as bigint) as population_female,
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'pilot_regions') }}
),

renamed as (
    select
        trim(kode_kabupaten) as region_code,
        trim(nama) as region_name_listed,
        nullif(trim(basis), '') as basis,
    from source
)

select * from renamed

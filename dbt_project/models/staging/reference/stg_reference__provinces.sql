with source as (
    select * from {{ source('reference', 'provinces') }}
),

renamed as (
    select
        trim(kode) as province_code,
        trim(nama) as province_name,
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'regencies') }}
),

renamed as (
    select
        trim(kode) as region_code,
        trim(kode_provinsi) as province_code,
        trim(nama) as region_name,
    from source
)

select * from renamed

with source as (
    select * from {{ source('reference', 'districts') }}
),

renamed as (
    select
        trim(kode) as kecamatan_code,
        replace(trim(kode), '.', '') as kecamatan_digits,
        trim(kode_kabupaten) as region_code,
        trim(nama) as kecamatan_name,
    from source
)

select * from renamed

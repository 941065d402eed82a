with source as (
    select * from {{ source('reference', 'villages') }}
),

renamed as (
    select
        trim(kode) as desa_code,
        trim(kode_kecamatan) as kecamatan_code,
        substr(trim(kode), 1, 5) as region_code,
        trim(nama) as desa_name,
        substr(trim(kode), 10, 1) = '1' as is_kelurahan,
    from source
)

select * from renamed

with source as (
    {{ current_rows('kabkota', 'kabkota_ground_check', accumulate=true) }}
),

renamed as (
    select
        {{ to_text('no_gc') }} as ground_check_id,
        {{ to_text('nik') }} as nik,
        {{ to_text('no_kk') }} as kk_number,
        upper({{ to_text('hasil') }}) as result,
        {{ to_text('petugas') }} as officer,
        {{ to_date('tgl_gc', '%d-%m-%Y') }} as checked_date,
        _delivery_region_code as region_code,
        _delivery_period as period,
        _delivery_id,
        _source_file,
        _row_number,
    from source
),

checked as (
    select
        *,
        {{ nik_status('nik', 'null', ref('stg_reference__districts')) }} as nik_status,
    from renamed
)

select * from checked

with source as (
    {{ current_rows('kabkota', 'kabkota_sanggahan', accumulate=true) }}
),

renamed as (
    select
        {{ to_text('no_sanggahan') }} as sanggahan_id,
        {{ to_text('nik_tersanggah') }} as nik,
        {{ to_text('alasan') }} as reason,
        {{ to_text('pelapor') }} as reported_by,
        {{ to_date('tgl_sanggahan', '%d-%m-%Y') }} as objection_date,
        {{ to_text('foto_ref') }} as photo_ref,
        try_cast(trim(cast(latitude as varchar)) as double) as latitude,
        try_cast(trim(cast(longitude as varchar)) as double) as longitude,
        upper({{ to_text('status_verifikasi') }}) as verification_status,
        {{ to_date('tgl_keputusan', '%d-%m-%Y') }} as decision_date,
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

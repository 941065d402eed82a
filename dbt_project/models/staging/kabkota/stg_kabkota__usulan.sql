with source as (
    {{ current_rows('kabkota', 'kabkota_usulan', accumulate=true) }}
),

renamed as (
    select
        {{ to_text('no_usulan') }} as usulan_id,
        {{ to_text('nik') }} as nik,
        {{ to_text('nama') }} as full_name,
        {{ normalize_name('nama') }} as name_normalized,
        {{ to_text('alamat') }} as address,
        {{ desa_code_dotted('kode_desa') }} as desa_code,
        substr({{ desa_code_dotted('kode_desa') }}, 1, 8) as kecamatan_code,
        coalesce(substr({{ desa_code_dotted('kode_desa') }}, 1, 5), _delivery_region_code) as region_code,
        {{ to_text('alasan') }} as reason,
        {{ to_date('tgl_usulan', '%d-%m-%Y') }} as proposed_date,
        upper({{ to_text('pengusul') }}) as proposed_by,
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

with source as (
    {{ current_rows('dtks', 'dtks_persons') }}
),

renamed as (
    select
        {{ to_text('iddtks') }} as dtks_person_id,
        {{ to_text('nik') }} as nik,
        {{ to_text('nokk') }} as kk_number,
        {{ to_text('nama') }} as full_name,
        {{ normalize_name('nama') }} as name_normalized,
        {{ to_date('tgl_lahir', '%d-%m-%Y') }} as birth_date,
        {{ to_sex('jenis_kelamin') }} as sex,
        {{ to_int('hub_keluarga') }} as family_relationship,
        {{ to_int('hub_keluarga') }} = 1 as is_family_head,
        {{ to_text('alamat') }} as address,
        {{ desa_code_dotted('kode_desa') }} as desa_code,
        substr({{ desa_code_dotted('kode_desa') }}, 1, 8) as kecamatan_code,
        coalesce(substr({{ desa_code_dotted('kode_desa') }}, 1, 5), _delivery_region_code) as region_code,
        coalesce({{ to_flag('pkh') }}, false) as receives_pkh,
        coalesce({{ to_flag('bpnt') }}, false) as receives_bpnt,
        coalesce({{ to_flag('pbi') }}, false) as receives_pbi,
        coalesce({{ to_text('periode') }}, _delivery_period) as period,
        _delivery_id,
        _source_file,
        _row_number,
    from source
),

checked as (
    select
        *,
        {{ nik_status('nik', 'sex', ref('stg_reference__districts')) }} as nik_status,
        {{ kk_status('kk_number', ref('stg_reference__districts')) }} as kk_status,
    from renamed
)

select * from checked

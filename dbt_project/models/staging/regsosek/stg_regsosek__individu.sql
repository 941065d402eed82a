with source as (
    {{ current_rows('regsosek', 'regsosek_individu') }}
),

renamed as (
    select
        {{ to_text('id_keluarga') }} as regsosek_family_id,
        {{ to_text('nik') }} as nik,
        {{ to_text('nama') }} as full_name,
        {{ normalize_name('nama') }} as name_normalized,
        {{ to_date('tgl_lahir', '%Y-%m-%d') }} as birth_date,
        {{ to_sex('jenis_kelamin') }} as sex,
        {{ to_int('hubungan') }} as family_relationship,
        {{ to_int('hubungan') }} = 1 as is_family_head,
        {{ to_int('pendidikan') }} as pendidikan,
        {{ to_int('status_pekerjaan') }} as status_pekerjaan,
        {{ to_int('lapangan_usaha') }} as lapangan_usaha,
        coalesce({{ to_flag('disabilitas') }}, false) as has_disability,
        coalesce({{ to_flag('penyakit_kronis') }}, false) as has_chronic_illness,
        {{ to_int('jaminan_kesehatan') }} as jaminan_kesehatan,
        coalesce({{ to_flag('masih_sekolah') }}, false) as is_in_school,
        {{ to_int('status_kawin') }} as status_kawin,
        coalesce({{ to_text('periode') }}, _delivery_period) as period,
        _delivery_region_code as delivery_region_code,
        _delivery_id,
        _source_file,
        _row_number,
    from source
),

checked as (
    select
        -- Regsosek has no person id: the family id plus the member's position in the delivery.
        regsosek_family_id || '-' || lpad(cast(row_number() over (
            partition by regsosek_family_id
            order by _delivery_id, _row_number
        ) as varchar), 2, '0') as regsosek_person_id,
        *,
        {{ nik_status('nik', 'sex', ref('stg_reference__districts')) }} as nik_status,
    from renamed
)

select * from checked

with source as (
    {{ current_rows('dukcapil', 'dukcapil_nik_verifications') }}
),

renamed as (
    select
        {{ to_text('nik') }} as nik,
        upper({{ to_text('status_padan') }}) as verification_status,
        upper({{ to_text('status_padan') }}) = 'PADAN' as is_nik_known,
        {{ desa_code_dotted("lpad(trim(no_prop_domisili), 2, '0') || lpad(trim(no_kab_domisili), 2, '0') || lpad(trim(no_kec_domisili), 2, '0') || lpad(trim(no_kel_domisili), 4, '0')") }} as desa_code,
        case when {{ to_text('no_prop_domisili') }} is not null and {{ to_text('no_kab_domisili') }} is not null
            and {{ to_text('no_kec_domisili') }} is not null
            then lpad(trim(no_prop_domisili), 2, '0') || '.' || lpad(trim(no_kab_domisili), 2, '0') || '.'
                || lpad(trim(no_kec_domisili), 2, '0')
        end as kecamatan_code,
        case when {{ to_text('no_prop_domisili') }} is not null and {{ to_text('no_kab_domisili') }} is not null
            then lpad(trim(no_prop_domisili), 2, '0') || '.' || lpad(trim(no_kab_domisili), 2, '0')
        end as region_code,
        case upper({{ to_text('status_hidup') }}) when 'HIDUP' then true when 'MATI' then false end as is_alive,
        {{ to_date('tgl_padan', '%Y-%m-%d') }} as verified_date,
        _delivery_region_code as delivery_region_code,
        _delivery_period as period,
        _delivery_id,
        _source_file,
        _row_number,
    from source
)

select * from renamed

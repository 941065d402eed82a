with source as (
    {{ current_rows('dukcapil', 'dukcapil_nik_verifications') }}
),

renamed as (
    select
        {{ to_text('nik') }} as nik,
        upper({{ to_text('status_padan') }}) as verification_status,
        upper({{ to_text('status_padan') }}) = 'PADAN' as is_nik_known,
        -- the holder's current domicile; blank (null) when TIDAK PADAN
        {{ dukcapil_area_codes('no_prop_domisili', 'no_kab_domisili', 'no_kec_domisili', 'no_kel_domisili') }},
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

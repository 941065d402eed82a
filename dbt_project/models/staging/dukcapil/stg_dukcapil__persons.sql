with source as (
    {{ current_rows('dukcapil', 'dukcapil_persons') }}
),

renamed as (
    select
        {{ to_text('nik') }} as nik,
        {{ to_text('no_kk') }} as kk_number,
        {{ to_text('nama_lgkp') }} as full_name,
        {{ normalize_name('nama_lgkp') }} as name_normalized,
        {{ to_text('tmpt_lhr') }} as birth_place,
        {{ to_date('tgl_lhr', '%Y-%m-%d') }} as birth_date,
        {{ to_sex('jenis_klmin') }} as sex,
        {{ to_text('agama') }} as religion,
        upper({{ to_text('status_kawin') }}) as marital_status,
        upper({{ to_text('stat_hbkel') }}) as family_relationship,
        upper({{ to_text('stat_hbkel') }}) = 'KEPALA KELUARGA' as is_family_head,
        {{ to_text('pddk_akh') }} as education,
        {{ to_text('jenis_pkrjn') }} as occupation,
        {{ to_text('nama_lgkp_ibu') }} as mother_name,
        {{ dukcapil_area_codes('no_prop', 'no_kab', 'no_kec', 'no_kel') }},
        {{ to_text('alamat') }} as address,
        {{ to_text('no_rt') }} as rt,
        {{ to_text('no_rw') }} as rw,
        upper({{ to_text('status_hidup') }}) <> 'MATI' as is_alive,
        {{ to_date('tgl_mati', '%Y-%m-%d') }} as death_date,
        try_cast(trim(cast(tgl_update as varchar)) as timestamp) as updated_at,
        _delivery_region_code as delivery_region_code,
        _delivery_period as period,
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

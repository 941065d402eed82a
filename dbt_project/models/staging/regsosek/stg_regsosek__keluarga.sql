{#- PMT variables keep Regsosek's own names (the questionnaire's terms) and become integer codes. -#}
{%- set coded = ['status_bangunan', 'luas_lantai', 'jenis_lantai', 'jenis_dinding', 'jenis_atap',
                 'sumber_air_minum', 'sumber_penerangan', 'daya_terpasang', 'bahan_bakar_masak',
                 'fasilitas_bab', 'jumlah_kamar', 'jumlah_ternak'] -%}
{%- set assets = ['aset_gas_5kg', 'aset_kulkas', 'aset_ac', 'aset_pemanas_air', 'aset_tv', 'aset_emas_10g',
                  'aset_komputer', 'aset_sepeda', 'aset_sepeda_motor', 'aset_mobil', 'aset_perahu',
                  'aset_lahan', 'aset_rumah_lain', 'aset_smartphone'] -%}
with source as (
    {{ current_rows('regsosek', 'regsosek_keluarga') }}
),

renamed as (
    select
        {{ to_text('id_keluarga') }} as regsosek_family_id,
        {{ to_text('no_kk') }} as kk_number,
        {{ desa_code_dotted('kode_desa') }} as desa_code,
        substr({{ desa_code_dotted('kode_desa') }}, 1, 8) as kecamatan_code,
        coalesce(substr({{ desa_code_dotted('kode_desa') }}, 1, 5), _delivery_region_code) as region_code,
        {%- for column in coded %}
        {{ to_int(column) }} as {{ column }},
        {%- endfor %}
        {%- for column in assets %}
        coalesce({{ to_flag(column) }}, false) as {{ column }},
        {%- endfor %}
        coalesce({{ to_text('periode') }}, _delivery_period) as period,
        _delivery_id,
        _source_file,
        _row_number,
    from source
),

checked as (
    select
        *,
        {{ kk_status('kk_number', ref('stg_reference__districts')) }} as kk_status,
    from renamed
)

select * from checked

-- National analyst view: pseudonymised (keyed NIK hash), no clear NIK, name, birth date or KK number.
with persons as (
    select * from {{ ref('dim_persons') }}
),

final as (
    select
        nik_hash,
        region_code,
        kecamatan_code,
        desa_code,
        family_id,
        sex,
        cast(year(birth_date) as integer) as birth_year,
        is_alive,
        desil,
        receives_pkh,
        receives_bpnt,
        receives_pbi,
        is_in_dukcapil,
        is_in_dtks,
        is_in_regsosek,
    from persons
)

select * from final

-- One row per Regsosek family member, with the family's address (members carry none of their own).
with members as (
    select * from {{ ref('stg_regsosek__individu') }}
),

families as (
    select * from {{ ref('int_regsosek_families_deduplicated') }}
),

located as (
    select
        members.*,
        families.kk_number as family_kk_number,
        families.kk_status as family_kk_status,
        families.desa_code,
        families.kecamatan_code,
        coalesce(families.region_code, members.delivery_region_code) as region_code,
    from members
    left join families
        on members.regsosek_family_id = families.regsosek_family_id
)

select * from located

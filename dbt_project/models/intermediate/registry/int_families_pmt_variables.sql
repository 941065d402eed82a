{#-
    One row per Regsosek family and PMT variable (long form), the inputs of the proxy-means test.
    Every variable named in seeds/pmt_weights.csv is derived here from Regsosek codes (see the seed's
    descriptions); a missing code counts as 0 (the "poorer" reference) and is counted in
    `missing_codes` so that a family scored on incomplete data can be found.
    Ages are taken at the first day of the family's period.
-#}
with families as (
    select * from {{ ref('int_regsosek_families_deduplicated') }}
),

members as (
    select * from {{ ref('int_regsosek_persons_located') }}
),

member_stats as (
    select
        members.regsosek_family_id,
        count(*) as members,
        avg(case when date_diff('year', members.birth_date, strptime(families.period || '01', '%Y%m%d')::date) < 15
            then 1.0 else 0.0 end) as share_children,
        avg(case when date_diff('year', members.birth_date, strptime(families.period || '01', '%Y%m%d')::date) >= 65
            then 1.0 else 0.0 end) as share_elderly,
        avg(case when members.has_disability then 1.0 else 0.0 end) as share_disability,
        -- the head (HUBUNGAN 1); if none is marked, the first member delivered
        arg_min(members.pendidikan, (not members.is_family_head, members.regsosek_person_id)) as head_education,
        arg_min(members.status_pekerjaan, (not members.is_family_head, members.regsosek_person_id)) as head_work_status,
        arg_min(members.lapangan_usaha, (not members.is_family_head, members.regsosek_person_id)) as head_sector,
    from members
    inner join families on members.regsosek_family_id = families.regsosek_family_id
    group by members.regsosek_family_id
),

wide as (
    select
        families.regsosek_family_id as family_id,
        coalesce(member_stats.members, 0) as members,
        (families.luas_lantai is null)::int + (families.jenis_lantai is null)::int
            + (families.jenis_dinding is null)::int + (families.jenis_atap is null)::int
            + (families.sumber_air_minum is null)::int + (families.sumber_penerangan is null)::int
            + (families.daya_terpasang is null)::int + (families.bahan_bakar_masak is null)::int
            + (families.fasilitas_bab is null)::int + (families.jumlah_kamar is null)::int
            + (families.status_bangunan is null)::int + (families.jumlah_ternak is null)::int
            + (member_stats.head_education is null)::int as missing_codes,
        ln(greatest(coalesce(member_stats.members, 0), 1))::double as log_members,
        coalesce(member_stats.share_children, 0)::double as share_children,
        coalesce(member_stats.share_elderly, 0)::double as share_elderly,
        coalesce(member_stats.share_disability, 0)::double as share_disability,
        coalesce(member_stats.head_education, 0)::double as head_education,
        (coalesce(member_stats.head_work_status, 0) in (3, 4))::int::double as head_formal_work,
        (coalesce(member_stats.head_sector, 0) = 1)::int::double as head_agriculture,
        ln(1 + coalesce(families.luas_lantai, 0) / greatest(coalesce(member_stats.members, 0), 1))::double
            as log_floor_per_capita,
        (coalesce(families.jenis_lantai, 1) = 1)::int::double as floor_earth,
        (coalesce(families.jenis_lantai, 1) >= 4)::int::double as floor_tiled,
        (coalesce(families.jenis_dinding, 1) = 4)::int::double as wall_brick,
        (coalesce(families.jenis_atap, 1) = 4)::int::double as roof_tile,
        (coalesce(families.sumber_air_minum, 1) >= 3)::int::double as water_protected,
        (coalesce(families.sumber_penerangan, 1) = 3)::int::double as electricity_pln,
        (coalesce(families.daya_terpasang, 0) >= 900)::int::double as power_900va,
        (coalesce(families.daya_terpasang, 0) >= 1300)::int::double as power_1300va,
        (coalesce(families.bahan_bakar_masak, 1) = 1)::int::double as fuel_wood,
        (coalesce(families.bahan_bakar_masak, 1) = 4)::int::double as fuel_large_gas,
        (coalesce(families.fasilitas_bab, 1) = 3)::int::double as own_toilet,
        (coalesce(families.jumlah_kamar, 0) / greatest(coalesce(member_stats.members, 0), 1))::double
            as rooms_per_capita,
        (coalesce(families.status_bangunan, 1) = 2)::int::double as rented_house,
        families.aset_gas_5kg::int::double as asset_gas_5kg,
        families.aset_kulkas::int::double as asset_fridge,
        families.aset_ac::int::double as asset_ac,
        families.aset_pemanas_air::int::double as asset_water_heater,
        families.aset_tv::int::double as asset_flat_tv,
        families.aset_emas_10g::int::double as asset_gold,
        families.aset_komputer::int::double as asset_computer,
        families.aset_sepeda::int::double as asset_bicycle,
        families.aset_sepeda_motor::int::double as asset_motorcycle,
        families.aset_mobil::int::double as asset_car,
        families.aset_perahu::int::double as asset_boat,
        families.aset_lahan::int::double as asset_land,
        families.aset_rumah_lain::int::double as asset_other_house,
        families.aset_smartphone::int::double as asset_smartphone,
        ln(1 + coalesce(families.jumlah_ternak, 0))::double as log_livestock,
    from families
    left join member_stats on families.regsosek_family_id = member_stats.regsosek_family_id
),

long as (
    unpivot wide
    on columns(* exclude (family_id, members, missing_codes))
    into name variable value value
)

select * from long

{#-
    One row per structurally valid NIK among the integrated persons: the person a NIK in a kab/kota
    workbook (usulan, sanggahan, ground check) refers to. A NIK carried by more than one person
    (is_nik_shared) resolves to its Dukcapil holder; otherwise the lowest person_id.
-#}
with persons as (
    select * from {{ ref('int_persons_integrated') }}
    where nik is not null and nik_status = 'valid'
)

select
    nik,
    person_id,
    family_id,
    region_code,
    kecamatan_code,
    desa_code,
    dtks_region_code,
    dtks_desa_code,
    is_in_dukcapil,
    is_in_dtks,
from persons
qualify row_number() over (partition by nik order by is_in_dukcapil desc, person_id) = 1

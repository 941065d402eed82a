{#-
    One row per change of a family between two consecutive periods of its region (issue 5, item 7),
    read from the history snapshot snp_family_programmes. Per (family, programme, period) the last
    version counts (a corrected delivery within a period replaces the earlier value). Periods are
    those the region was integrated in; the first period of a region has nothing to compare with.
      desil rows (programme null, change null): direction naik / turun (desil number up / down),
        baru (the family appears), keluar (the family is no longer in the data)
      programme rows (change masuk / keluar), with change_basis:
        kelayakan  eligibility changed (desil range, ground check, or no member alive)
        penerimaan receipt per DTKS changed
      direction on programme rows is the family's desil direction ('tetap' when the desil held).
    reason says why, in Bahasa Indonesia: 'desil turun dari 5 ke 3', 'ground check: TIDAK LAYAK (GC-..)'.
-#}
with versions as (
    select * from {{ ref('snp_family_programmes') }}
    qualify row_number() over (
        partition by family_id, programme, period order by dbt_valid_from desc, dbt_updated_at desc
    ) = 1
),

region_periods as (
    select distinct region_code, period from versions
),

steps as (
    select
        region_code,
        lag(period) over (partition by region_code order by period) as period_from,
        period as period_to,
    from region_periods
    qualify period_from is not null
),

before as (
    select steps.period_from, steps.period_to, versions.*
    from steps
    inner join versions on versions.region_code = steps.region_code and versions.period = steps.period_from
),

after as (
    select steps.period_from, steps.period_to, versions.*
    from steps
    inner join versions on versions.region_code = steps.region_code and versions.period = steps.period_to
),

paired as (
    select
        coalesce(after.family_id, before.family_id) as family_id,
        coalesce(after.programme, before.programme) as programme,
        coalesce(after.region_code, before.region_code) as region_code,
        coalesce(after.kecamatan_code, before.kecamatan_code) as kecamatan_code,
        coalesce(after.desa_code, before.desa_code) as desa_code,
        coalesce(after.period_from, before.period_from) as period_from,
        coalesce(after.period_to, before.period_to) as period_to,
        before.family_id is not null as was_present,
        after.family_id is not null as is_present,
        before.desil as desil_from,
        after.desil as desil_to,
        coalesce(before.is_eligible, false) as was_eligible,
        coalesce(after.is_eligible, false) as is_eligible,
        before.is_receiving as was_receiving,
        after.is_receiving as is_receiving,
        after.eligibility_basis,
        after.eligibility_check_id,
        after.eligibility_check_result,
        before.eligibility_check_id as eligibility_check_id_before,
        after.ground_check_id,
        after.ground_check_result,
        before.ground_check_id as ground_check_id_before,
        after.members_alive,
    from before
    full outer join after
        on before.family_id = after.family_id
        and before.programme = after.programme
        and before.period_to = after.period_to
        and before.region_code = after.region_code
),

directed as (
    select
        *,
        case
            when not was_present then 'baru'
            when not is_present then 'keluar'
            when desil_to > desil_from then 'naik'
            when desil_to < desil_from then 'turun'
            else 'tetap'
        end as direction,
    from paired
),

explained as (
    select
        *,
        case direction
            when 'naik' then 'desil naik dari ' || desil_from || ' ke ' || desil_to
            when 'turun' then 'desil turun dari ' || desil_from || ' ke ' || desil_to
            when 'baru' then 'keluarga baru di registri (desil ' || coalesce(cast(desil_to as varchar), '-') || ')'
            when 'keluar' then 'keluarga tidak ada lagi di data periode ' || period_to
        end as desil_reason,
        case
            when ground_check_id is not null and ground_check_id is distinct from ground_check_id_before
                then 'ground check: ' || ground_check_result || ' (' || ground_check_id || ')'
        end as new_check_reason,
    from directed
),

desil_changes as (
    select
        family_id, region_code, kecamatan_code, desa_code, period_from, period_to, desil_from, desil_to,
        direction,
        cast(null as varchar) as programme,
        cast(null as varchar) as change,
        'desil' as change_basis,
        desil_reason as reason,
    from explained
    where direction <> 'tetap'
    qualify row_number() over (partition by family_id, period_to order by programme) = 1
),

eligibility_changes as (
    select
        family_id, region_code, kecamatan_code, desa_code, period_from, period_to, desil_from, desil_to,
        direction,
        programme,
        case when is_eligible then 'masuk' else 'keluar' end as change,
        'kelayakan' as change_basis,
        case when is_eligible then 'masuk ' else 'keluar ' end || programme || ': '
        || case
            when not is_present then desil_reason
            when eligibility_basis = 'life_status' then
                coalesce(new_check_reason, 'tidak ada lagi anggota keluarga yang hidup')
            when eligibility_basis = 'ground_check'
                then 'ground check: ' || eligibility_check_result || ' (' || eligibility_check_id || ')'
            when eligibility_check_id_before is not null and eligibility_check_id is null
                then 'ground check ' || eligibility_check_id_before || ' tidak berlaku lagi; ' || coalesce(desil_reason, 'desil ' || desil_to)
            else coalesce(desil_reason, 'desil tetap ' || desil_to || ', aturan program atau penerimaan berubah')
        end as reason,
    from explained
    where is_eligible <> was_eligible
),

receipt_changes as (
    select
        family_id, region_code, kecamatan_code, desa_code, period_from, period_to, desil_from, desil_to,
        direction,
        programme,
        case when is_receiving then 'masuk' else 'keluar' end as change,
        'penerimaan' as change_basis,
        case when is_receiving then 'mulai menerima ' else 'berhenti menerima ' end || programme || ' menurut DTKS periode '
            || period_to || coalesce('; ' || new_check_reason, '') as reason,
    from explained
    where is_present and was_present
        and is_receiving is not null and was_receiving is not null
        and is_receiving <> was_receiving
),

unioned as (
    select * from desil_changes
    union all
    select * from eligibility_changes
    union all
    select * from receipt_changes
)

select
    family_id,
    region_code,
    kecamatan_code,
    desa_code,
    period_from,
    period_to,
    cast(desil_from as integer) as desil_from,
    cast(desil_to as integer) as desil_to,
    direction,
    programme,
    change,
    change_basis,
    reason,
from unioned

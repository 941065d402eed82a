{#-
    One row per usulan (a citizen's or operator's proposal to add a person; Cek Bansos "Usul" or the
    village deliberation): the workbooks of every period up to the run's, a NO_USULAN repeated in a
    later workbook keeping the newest row. The proposed NIK is checked and matched to the registry
    (int_workbook_niks_matched: the Dukcapil holder when a NIK is shared; a NIK Excel damaged is
    repaired where the evidence is unambiguous, nik_match_method); the outcome, first that holds:
      nik_tidak_valid       the NIK is missing or fails the structure check (Excel damage included)
                            and could not be repaired (int_workbook_niks_matched)
      sudah_terdaftar       the person is already listed in DTKS
      baru_cocok_dukcapil   not in DTKS, and Dukcapil knows the NIK: can be processed; eligible_programmes
                            says what the family's desil (if Regsosek has it) qualifies for
      nik_tidak_ditemukan   a valid NIK that neither Dukcapil nor any list knows
    A repaired NIK (nik_match_method excel_*) takes the outcome of the person it names, and
    outcome_reason asks the operator to retype it (macro nik_match_note).
-#}
with proposals as (
    {{ newest_workbook_row(ref('stg_kabkota__usulan'), 'usulan_id') }}
),

matches as (
    select * from {{ ref('int_workbook_niks_matched') }}
    where workbook = 'usulan'
),

persons as (
    select * from {{ ref('dim_persons') }}
),

families as (
    select family_id, eligible_programmes from {{ ref('dim_families') }}
),

joined as (
    select
        proposals.*,
        matches.nik_match_method,
        matches.matched_nik,
        persons.person_id,
        persons.family_id,
        persons.desil,
        persons.is_in_dtks,
        persons.is_in_dukcapil,
        persons.is_alive,
        families.eligible_programmes,
        case
            when persons.person_id is null and proposals.nik_status <> 'valid' then 'nik_tidak_valid'
            when persons.is_in_dtks then 'sudah_terdaftar'
            when persons.is_in_dukcapil then 'baru_cocok_dukcapil'
            else 'nik_tidak_ditemukan'
        end as outcome,
    from proposals
    left join matches on proposals.usulan_id = matches.workbook_row_id
    left join persons on matches.person_id = persons.person_id
    left join families on persons.family_id = families.family_id
),

final as (
    select
        usulan_id,
        region_code,
        kecamatan_code,
        desa_code,
        nik,
        person_id,
        family_id,
        desil,
        proposed_date,
        proposed_by,
        reason,
        outcome,
        case outcome
            when 'nik_tidak_valid' then
                case nik_status
                    when 'missing' then 'NIK kosong: catat NIK dari KTP/KK lalu ajukan ulang'
                    when 'excel_mangled' then 'NIK rusak oleh Excel (format angka): ketik ulang NIK sebagai teks'
                    else 'NIK tidak lolos pemeriksaan struktur (' || nik_status || '): periksa KTP/KK'
                end
            when 'sudah_terdaftar' then
                'sudah terdaftar di DTKS' || coalesce(' (desil ' || desil || ')', '') || ': tidak perlu diusulkan lagi'
            when 'baru_cocok_dukcapil' then
                'NIK cocok dengan Dukcapil, belum terdaftar di DTKS; '
                || case
                    when is_alive = false then 'Dukcapil mencatat orang ini sudah meninggal'
                    when desil is null then 'belum ada data sosial-ekonomi (Regsosek): perlu pendataan'
                    when eligible_programmes is null then 'desil ' || desil || ': tidak memenuhi syarat program apa pun'
                    else 'desil ' || desil || ': memenuhi syarat ' || eligible_programmes
                end
            when 'nik_tidak_ditemukan' then 'NIK tidak ditemukan di Dukcapil maupun di daftar lain: verifikasi ke Dukcapil'
        end || coalesce('; ' || {{ nik_match_note('nik_match_method', 'matched_nik') }}, '') as outcome_reason,
        eligible_programmes,
        nik_status,
        nik_match_method,
        matched_nik,
        full_name,
        period,
    from joined
)

select * from final

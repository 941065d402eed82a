{#-
    One row per ground check (field visit by a PKH social worker, NO_GC): what was found, when it
    applies and what it changes. A check reported in period P applies from the next period
    (applies_from_period); in a run of that period or later the latest check overrides the sources
    (int_ground_checks_matched, int_persons_ground_checked, docs/SURVIVORSHIP.md):
      MENINGGAL → the person is dead (not eligible, dead_recipient while receiving);
      TIDAK LAYAK → the family is not eligible for any programme; LAYAK → the family's current
      receipt is confirmed; PINDAH → the person is marked moved (moved_out while DTKS lists them);
      TIDAK DITEMUKAN → no change.
    application_status: diterapkan (applies this run), menunggu_periode (applies from a later period),
    digantikan (a later check of the same person/family applies instead), tidak_cocok (the NIK names
    nobody in the registry), tanpa_efek (TIDAK DITEMUKAN). A check whose NIK Excel damaged and the
    registry repaired (nik_match_method excel_*) applies like any other; `effect` then also asks the
    operator to retype the NIK (macro nik_match_note).
-#}
with checks as (
    select * from {{ ref('int_ground_checks_matched') }}
),

final as (
    select
        ground_check_id,
        region_code,
        kecamatan_code,
        desa_code,
        nik,
        person_id,
        family_id,
        result,
        checked_date,
        period,
        applies_from_period,
        case application_status
            when 'tanpa_efek' then 'tidak ada perubahan status: orang tidak ditemukan saat kunjungan; jadwalkan kunjungan ulang'
            when 'tidak_cocok' then 'tidak diterapkan: NIK tidak cocok dengan orang mana pun di registri; periksa NIK'
            else
                case result
                    when 'MENINGGAL' then 'mulai periode ' || applies_from_period
                        || ': orang ini dianggap meninggal, tidak lagi layak menerima program'
                    when 'TIDAK LAYAK' then 'mulai periode ' || applies_from_period
                        || ': keluarga' || coalesce(' ' || family_id, '') || ' tidak layak untuk semua program'
                    when 'LAYAK' then 'mulai periode ' || applies_from_period
                        || ': kelayakan keluarga dikonfirmasi; penerimaan program saat ini dianggap tepat'
                    when 'PINDAH' then 'mulai periode ' || applies_from_period
                        || ': ditandai pindah domisili; serahkan ke daerah tujuan atau perbarui alamat di DTKS'
                end
                || case application_status
                    when 'menunggu_periode' then ' (belum berlaku pada periode ' || {{ run_period() }} || ')'
                    when 'digantikan' then ' (digantikan oleh ground check yang lebih baru)'
                    else ''
                end
        end || coalesce('; ' || {{ nik_match_note('nik_match_method', 'matched_nik') }}, '') as effect,
        application_status,
        is_applied,
        officer,
        kk_number,
        nik_status,
        nik_match_method,
        matched_nik,
    from checks
)

select * from final

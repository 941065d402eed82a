{#-
    nik_status(nik, sex, kecamatan_relation): why a NIK can or cannot be used for a deterministic match.

    A NIK is 16 digits `PP KK CC DDMMYY SSSS`: the kecamatan of first registration, the birth date
    with day + 40 for women, a serial. There is no check digit, so these structural checks are all
    that can be said without Dukcapil. The first failing check wins, in this order:
      missing        blank or null
      excel_mangled  the value went through a spreadsheet as a number (3.51E+15, 3510...0.0), or 16
                     digits ending in serial 0000: serials start at 0001, and 0000 is what Excel
                     leaves of serials 0001-0009 when it keeps 15 significant digits (as terpadu.sources.nik)
      not_16_digits  anything else that is not exactly 16 digits
      invalid_region first 6 digits are not a Kemendagri kecamatan (`kecamatan_relation` with a `kecamatan_digits` column)
      invalid_date   DDMMYY (day - 40 for women) is not a calendar date in 19YY or 20YY
      sex_mismatch   day > 40 (woman) disagrees with the record's sex ('L'/'P'); skipped when sex is null
      valid
    `nik` must already be trimmed text; `sex` is 'L', 'P' or null.
-#}
{% macro nik_status(nik, sex, kecamatan_relation) -%}
    case
        {{ _sixteen_digit_id_checks(nik, kecamatan_relation, serial_0000_is_excel=true) }}
        when {{ nik_birth_date(nik, '19') }} is null and {{ nik_birth_date(nik, '20') }} is null
            then 'invalid_date'
        when {{ sex }} = 'L' and cast(substr({{ nik }}, 7, 2) as integer) > 40 then 'sex_mismatch'
        when {{ sex }} = 'P' and cast(substr({{ nik }}, 7, 2) as integer) <= 40 then 'sex_mismatch'
        else 'valid'
    end
{%- endmacro %}

{#- The birth date encoded in a 16-digit NIK for a given century ('19' or '20'), or null. -#}
{% macro nik_birth_date(nik, century) -%}
    cast(try_strptime(
        -- day + 40 for women: 41-71 is a woman's day, 72-99 no day at all (not `% 40`, which made 92 a 12)
        lpad(cast(cast(substr({{ nik }}, 7, 2) as integer)
                  - case when cast(substr({{ nik }}, 7, 2) as integer) > 40 then 40 else 0 end as varchar), 2, '0')
        || substr({{ nik }}, 9, 2) || '{{ century }}' || substr({{ nik }}, 11, 2),
        '%d%m%Y'
    ) as date)
{%- endmacro %}

{#-
    kk_status(kk, kecamatan_relation): whether a family card (KK) number can serve as family context.
    A KK number is 16 digits: the region code where the card was issued, an issue date, a serial (the
    exact split is not confirmed, DOMAIN.md), so only what is certain is checked; first failing wins:
      missing        blank or null
      excel_mangled  the value went through a spreadsheet as a number
      not_16_digits  anything else that is not exactly 16 digits (a digit cut off)
      invalid_region first 6 digits are not a Kemendagri kecamatan (all zeros: a placeholder)
      valid
-#}
{% macro kk_status(kk, kecamatan_relation) -%}
    case
        {{ _sixteen_digit_id_checks(kk, kecamatan_relation) }}
        else 'valid'
    end
{%- endmacro %}

{#-
    The checks NIK and KK share, as `when` arms of a case: missing, excel_mangled (for a NIK also a
    last serial 0000: serial_0000_is_excel), not_16_digits, invalid_region (first 6 digits).
-#}
{% macro _sixteen_digit_id_checks(value, kecamatan_relation, serial_0000_is_excel=false) -%}
        when {{ value }} is null or {{ value }} = '' then 'missing'
        when regexp_full_match({{ value }}, '^[0-9]+([.,][0-9]+)?[eE][+]?[0-9]+$')
            or regexp_full_match({{ value }}, '^[0-9]{15,16}[.,]0+$')
            {%- if serial_0000_is_excel %}
            or regexp_full_match({{ value }}, '^[0-9]{12}0000$')
            {%- endif %}
            then 'excel_mangled'
        when not regexp_full_match({{ value }}, '^[0-9]{16}$') then 'not_16_digits'
        when not exists (
            select 1
            from {{ kecamatan_relation }} as _kec
            where _kec.kecamatan_digits = substr({{ value }}, 1, 6)
        ) then 'invalid_region'
{%- endmacro %}

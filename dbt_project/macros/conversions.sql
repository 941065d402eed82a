{#- Flags arrive as Y/N (CSV, Excel) or 0/1 / boolean (Parquet): one rule for all. Unknown → null. -#}
{% macro to_flag(value) -%}
    case
        when upper(trim(cast({{ value }} as varchar))) in ('Y', '1', 'TRUE', 'T', 'YA') then true
        when upper(trim(cast({{ value }} as varchar))) in ('N', '0', 'FALSE', 'F', 'TIDAK') then false
    end
{%- endmacro %}

{#- Whole numbers delivered as text or numbers; anything unparseable → null (quarantine is ingest's job). -#}
{% macro to_int(value) -%}
    try_cast(trim(cast({{ value }} as varchar)) as integer)
{%- endmacro %}

{#- Text as delivered, trimmed, blank → null. -#}
{% macro to_text(value) -%}
    nullif(trim(cast({{ value }} as varchar)), '')
{%- endmacro %}

{#- Date delivered as text in a strptime format, or already a DATE (Parquet). -#}
{% macro to_date(value, format) -%}
    coalesce(
        try_cast(try_strptime(trim(cast({{ value }} as varchar)), '{{ format }}') as date),
        try_cast(trim(cast({{ value }} as varchar)) as date)
    )
{%- endmacro %}

{#- Kemendagri desa code, 10 digits without dots → dotted '81.71.01.1001'; anything else → null. -#}
{% macro desa_code_dotted(digits) -%}
    case
        when regexp_full_match(trim(cast({{ digits }} as varchar)), '^[0-9]{10}$')
            then substr(trim(cast({{ digits }} as varchar)), 1, 2) || '.' || substr(trim(cast({{ digits }} as varchar)), 3, 2)
                || '.' || substr(trim(cast({{ digits }} as varchar)), 5, 2) || '.' || substr(trim(cast({{ digits }} as varchar)), 7, 4)
    end
{%- endmacro %}

{#-
    Dotted desa_code, kecamatan_code and region_code (three columns) from Dukcapil's separate code
    columns (NO_PROP 2, NO_KAB 2, NO_KEC 2, NO_KEL 4 digits, leading zeros possibly dropped); a code
    whose parts are blank is null.
-#}
{% macro dukcapil_area_codes(prop, kab, kec, kel) -%}
    {%- set p = "lpad(nullif(trim(" ~ prop ~ "), ''), 2, '0')" -%}
    {%- set k = "lpad(nullif(trim(" ~ kab ~ "), ''), 2, '0')" -%}
    {%- set c = "lpad(nullif(trim(" ~ kec ~ "), ''), 2, '0')" -%}
    {%- set l = "lpad(nullif(trim(" ~ kel ~ "), ''), 4, '0')" -%}
    {{ desa_code_dotted(p ~ " || " ~ k ~ " || " ~ c ~ " || " ~ l) }} as desa_code,
        {{ p }} || '.' || {{ k }} || '.' || {{ c }} as kecamatan_code,
        {{ p }} || '.' || {{ k }} as region_code
{%- endmacro %}

{#- Sex in one vocabulary: 'L' laki-laki, 'P' perempuan. -#}
{% macro to_sex(value) -%}
    case upper(trim(cast({{ value }} as varchar)))
        when '1' then 'L' when 'L' then 'L' when 'LAKI-LAKI' then 'L'
        when '2' then 'P' when 'P' then 'P' when 'PEREMPUAN' then 'P'
    end
{%- endmacro %}

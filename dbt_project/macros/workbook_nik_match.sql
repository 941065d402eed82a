{#-
    Helpers of int_workbook_niks_matched (the NIK match of the kab/kota workbooks) and its marts.

    same_name(a, b): two normalised names (normalize_name) are the same name - equal in the spelling
    key of identity_agreement.sql (old spellings and i/y/j folded), word order ignored. Stricter than
    names_agree on purpose: names_agree rules out a contradiction in a pair a NIK already proposes
    (FIKRI PRATAMA "agrees" with RAFI PRATAMA and with FIKRI), whereas a NIK in scientific notation
    names a whole kecamatan, and only the name can pick the person out of it.

    nik_match_note(method, matched_nik): for a workbook row whose NIK Excel damaged and the registry
    repaired (nik_match_method excel_float, excel_15, excel_sci_name), what the operator must do, in
    Bahasa Indonesia; null for an exact match or none. The repaired NIK is the registry's: the
    operator checks it against the KTP/KK before retyping it.
-#}
{% macro same_name(a, b) -%}
    (
        array_to_string(list_sort(string_split({{ name_spelling_key(a) }}, ' ')), ' ')
        = array_to_string(list_sort(string_split({{ name_spelling_key(b) }}, ' ')), ' ')
    )
{%- endmacro %}

{% macro nik_match_note(method, matched_nik) -%}
    case {{ method }}
        when 'excel_float' then 'NIK di lembar kerja rusak oleh Excel (tersimpan sebagai angka desimal), dicocokkan ke NIK '
        when 'excel_15' then 'NIK di lembar kerja rusak oleh Excel (hanya 15 digit tersimpan, digit terakhir menjadi 0), dicocokkan ke NIK '
        when 'excel_sci_name' then 'NIK di lembar kerja rusak oleh Excel (notasi ilmiah), dicocokkan lewat nama dan wilayah ke NIK '
    end
    || {{ matched_nik }} || ': periksa dengan KTP/KK lalu ketik ulang NIK sebagai teks'
{%- endmacro %}

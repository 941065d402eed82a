{#-
    Do two records describe the same person? Used where a NIK (or its first 15 digits) already
    proposes the pair and only a contradiction must be ruled out; the probabilistic linkage (Splink)
    scores everything else.

    names_agree(a, b, threshold): both normalised (normalize_name) and, compared in the spelling key
    below, one of
      - Jaro-Winkler >= threshold;
      - Jaro-Winkler of the words sorted >= threshold (LESTARI SITI = SITI LESTARI);
      - every word of one name is a word or an initial of the other (ZO = ZO SIREGAR, R KUSUMAWATI =
        RAHAYU KUSUMAWATI).
    The spelling key folds the old (van Ophuijsen / Soewandi) spellings and the i/y/j variants that
    registries mix: OE→U, DJ→J, TJ→C, CH→KH, then J and Y→I (SOEROSO = SUROSO, TRY = TRI, DJOKO = JOKO).

    birth_dates_agree(a, b): equal, either missing, or day and month swapped (a date typed in the
    other order). Someone using another person's NIK almost never shares that person's birth date,
    which the NIK itself encodes, so the name test can afford to be lenient.
-#}
{% macro name_spelling_key(name) -%}
    replace(replace(replace(replace(replace(replace(replace(
        {{ name }}, 'OE', 'U'), 'DJ', 'J'), 'TJ', 'C'), 'CH', 'KH'), 'J', 'I'), 'Y', 'I'), 'II', 'I')
{%- endmacro %}

{#- the name's words sorted, in the spelling key: one value for LESTARI SITI and SITI LESTARI (also Splink's name_key) -#}
{% macro name_words_key(name) -%}
    array_to_string(list_sort(string_split({{ name_spelling_key(name) }}, ' ')), ' ')
{%- endmacro %}

{% macro names_agree(a, b, threshold) -%}
    (
        jaro_winkler_similarity({{ name_spelling_key(a) }}, {{ name_spelling_key(b) }}) >= {{ threshold }}
        or jaro_winkler_similarity({{ name_words_key(a) }}, {{ name_words_key(b) }}) >= {{ threshold }}
        or {{ _words_within(name_spelling_key(a), name_spelling_key(b)) }}
        or {{ _words_within(name_spelling_key(b), name_spelling_key(a)) }}
    )
{%- endmacro %}

{#- every word of `inner` is a word of `outer`, or an initial of one (either side may be the initial) -#}
{% macro _words_within(inner, outer) -%}
    coalesce(list_bool_and(list_transform(
        string_split({{ inner }}, ' '),
        _w -> list_bool_or(list_transform(
            string_split({{ outer }}, ' '),
            _o -> _o = _w or (length(_w) = 1 and _o[1] = _w) or (length(_o) = 1 and _w[1] = _o)
        ))
    )), false)
{%- endmacro %}

{% macro birth_dates_agree(a, b) -%}
    (
        {{ a }} is null or {{ b }} is null or {{ a }} = {{ b }}
        or (year({{ a }}) = year({{ b }}) and day({{ a }}) = month({{ b }}) and month({{ a }}) = day({{ b }}))
    )
{%- endmacro %}

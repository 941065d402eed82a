{#-
    normalize_name(name): the form used to compare names across agencies.

    Upper case; apostrophes dropped (NUR'AINI → NURAINI); other punctuation except the dots of titles becomes a space; honorific and academic
    titles are dropped (H., Hj., Drs., Dra., Ir., dr./Dr., S.Pd., S.E., S.H., ...); the spellings of
    Muhammad (Muhamad, Mohammad, Moh., Muh., Mhd., M.) become MUHAMMAD; what remains keeps letters only.
    "H" without a dot is kept: it may be an initial. Empty result → null.
-#}
{% macro normalize_name(name) -%}
    nullif(array_to_string(
        list_filter(
            list_transform(
                string_split_regex(
                    trim(regexp_replace(
                        regexp_replace(upper(coalesce({{ name }}, '')), '[''`’]', '', 'g'),
                        '[^A-Z. ]', ' ', 'g'
                    )),
                    '\s+'
                ),
                lambda t: case
                    when t in (
                        'H.', 'HJ.', 'HJ', 'DRS.', 'DRS', 'DRA.', 'DRA', 'IR.', 'DR.', 'PROF.',
                        'S.PD.', 'S.PD', 'S.PD.I', 'S.PD.I.', 'SPD', 'S.E.', 'S.E', 'SE.', 'S.H.', 'S.H', 'SH.',
                        'S.T.', 'S.T', 'S.KOM.', 'S.KOM', 'S.SOS.', 'S.SOS', 'S.AG.', 'S.AG', 'S.KEP.',
                        'S.KEP', 'S.SI.', 'S.SI', 'S.IP.', 'S.IP', 'M.PD.', 'M.PD', 'M.SI.', 'M.SI',
                        'M.M.', 'M.M', 'MM.', 'A.MD.', 'A.MD', 'AMD.', 'AMD', 'ST.'
                    ) then ''
                    when t in (
                        'MUHAMMAD', 'MUHAMAD', 'MUHAMMED', 'MOHAMMAD', 'MOHAMAD', 'MOHAMMED', 'MOCHAMMAD',
                        'MOCHAMAD', 'MOCH.', 'MOCH', 'MOH.', 'MOH', 'MUH.', 'MUH', 'MHD.', 'MHD', 'M.'
                    ) then 'MUHAMMAD'
                    else replace(t, '.', '')
                end
            ),
            lambda t: t <> ''
        ),
        ' '
    ), '')
{%- endmacro %}

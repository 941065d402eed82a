{#-
    keyed_hash(value, purpose): sha256(key || purpose || value), the UU PDP pseudonym.

    The key comes from TERPADU_NIK_HASH_KEY through var('nik_hash_key'); without a key the build
    fails rather than publishing a reversible plain hash (the NIK space is small enough to enumerate).
    `purpose` separates pseudonyms used for different things (the NIK hash vs person ids).
-#}
{% macro keyed_hash(value, purpose='nik') -%}
    {%- set key = var('nik_hash_key', '') -%}
    {%- if execute and (key is none or key | length < 16) -%}
        {{ exceptions.raise_compiler_error(
            "TERPADU_NIK_HASH_KEY is not set (or shorter than 16 characters): the keyed NIK hash needs a "
            ~ "secret key. Run through `terpadu transform`, which reads it from Settings.nik_hash_key.") }}
    {%- endif -%}
    case when {{ value }} is not null
        then sha256('{{ key | replace("'", "''") }}' || '{{ purpose }}:' || {{ value }})
    end
{%- endmacro %}

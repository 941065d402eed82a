{#- Tenth (1-10) of a population share: ceil(10 x cumulative / total) in integers, clamped to 1-10.
    A total of 0 (no members at all) puts everything in tenth 1. -#}
{% macro population_tenth(cumulative, total) -%}
    cast(least(10, greatest(1, case
        when {{ total }} > 0 then (10 * {{ cumulative }} + {{ total }} - 1) // {{ total }}
        else 1
    end)) as integer)
{%- endmacro %}

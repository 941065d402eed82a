{#-
    programme_eligibility(desil, min_desil, max_desil, check_result, is_receiving): is a person or
    family eligible for a programme (seeds/programme_rules.csv) this period? The latest applied ground
    check overrides the welfare rank:
      TIDAK LAYAK                      false (the field visit found the family not eligible)
      LAYAK and receiving              true  (the visit confirmed the current receipt)
      otherwise                        desil in [min_desil, max_desil]; null without a desil
    eligibility_basis(...) names which of these decided: 'ground_check' or 'desil' (null: no basis).
-#}
{% macro programme_eligibility(desil, min_desil, max_desil, check_result, is_receiving) -%}
    case
        when {{ check_result }} = 'TIDAK LAYAK' then false
        when {{ check_result }} = 'LAYAK' and {{ is_receiving }} then true
        else {{ desil }} between {{ min_desil }} and {{ max_desil }}
    end
{%- endmacro %}

{% macro eligibility_basis(desil, check_result, is_receiving) -%}
    case
        when {{ check_result }} = 'TIDAK LAYAK' then 'ground_check'
        when {{ check_result }} = 'LAYAK' and {{ is_receiving }} then 'ground_check'
        when {{ desil }} is not null then 'desil'
    end
{%- endmacro %}

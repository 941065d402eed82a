{#-
    One row per Regsosek family: the proxy-means estimate with the weight set var('pmt_weights_version').
      ln(per-capita expenditure) = intercept + sum(weight x value)
    top_factors: the three variables whose contribution, compared with the average family in the run,
    lowers this family's estimate the most: (value - mean value) x weight, most negative first, ties by
    variable name. That is the "why" an operator can read out to a family.
-#}
with variables as (
    select * from {{ ref('int_families_pmt_variables') }}
),

weights as (
    select * from {{ ref('pmt_weights') }}
    where version = '{{ var("pmt_weights_version") }}'
),

intercept as (
    select weight as intercept from weights where variable = 'intercept'
),

contributions as (
    select
        variables.family_id,
        variables.members,
        variables.missing_codes,
        variables.variable,
        variables.value,
        weights.weight,
        weights.weight * variables.value as contribution,
        weights.weight * (variables.value - avg(variables.value) over (partition by variables.variable))
            as contribution_vs_mean,
    from variables
    inner join weights on variables.variable = weights.variable
),

factors_ranked as (
    select
        *,
        row_number() over (partition by family_id order by contribution_vs_mean, variable) as factor_rank,
    from contributions
),

scored as (
    select
        family_id,
        any_value(members) as members,
        any_value(missing_codes) as missing_codes,
        (select intercept from intercept) + sum(contribution) as predicted_log_expenditure,
        string_agg(
            case when factor_rank <= 3 and contribution_vs_mean < 0 then variable end,
            ', ' order by factor_rank
        ) as top_factors,
        count(*) as variables_scored,
    from factors_ranked
    group by family_id
)

select
    *,
    exp(predicted_log_expenditure) as predicted_expenditure_per_capita,
    '{{ var("pmt_weights_version") }}' as pmt_weights_version,
from scored

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

-- per-variable means as a grouped aggregate, not a window over the run: at 1 M persons the
-- families x variables rows would have to sit in memory at once
means as (
    select variable, avg(value) as mean_value
    from variables
    group by variable
),

contributions as (
    select
        variables.family_id,
        variables.members,
        variables.missing_codes,
        variables.variable,
        weights.weight * variables.value as contribution,
        weights.weight * (variables.value - means.mean_value) as contribution_vs_mean,
    from variables
    inner join weights on variables.variable = weights.variable
    inner join means on variables.variable = means.variable
),

scored as (
    select
        family_id,
        any_value(members) as members,
        any_value(missing_codes) as missing_codes,
        (select intercept from intercept) + sum(contribution) as predicted_log_expenditure,
        -- the three most negative contributions, ties by variable name
        array_to_string(
            min_by(variable, {'contribution': contribution_vs_mean, 'variable': variable}, 3)
                filter (where contribution_vs_mean < 0),
            ', '
        ) as top_factors,
        count(*) as variables_scored,
    from contributions
    group by family_id
)

select
    *,
    exp(predicted_log_expenditure) as predicted_expenditure_per_capita,
    '{{ var("pmt_weights_version") }}' as pmt_weights_version,
from scored

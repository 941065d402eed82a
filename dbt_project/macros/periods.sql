{#-
    The run's period and as-of date (vars `period` and `as_of_date`, passed by terpadu.transform).

    run_period()        the period as a SQL string literal, '202610'
    as_of_date()        the as-of date as a SQL date literal: var('as_of_date') when set, else the
                        first day of the period (see dbt_project.yml for why)
    next_period(expr)   the yyyymm text after the yyyymm text `expr` ('202612' -> '202701')
-#}
{% macro run_period() -%}
    {%- set period = var('period') | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}(0[1-9]|1[0-2])', period) -%}
        {{ exceptions.raise_compiler_error("var('period') must be yyyymm (TERPADU_PERIOD), got '" ~ period ~ "'") }}
    {%- endif -%}
    '{{ period }}'
{%- endmacro %}

{% macro as_of_date() -%}
    {%- set value = (var('as_of_date', '') or '') | string | trim -%}
    {%- if value == '' -%}
        {%- set period = run_period() | replace("'", "") -%}
        {%- set value = period[:4] ~ '-' ~ period[4:] ~ '-01' -%}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error("var('as_of_date') must be yyyy-mm-dd (TERPADU_AS_OF_DATE), got '" ~ value ~ "'") }}
    {%- endif -%}
    date '{{ value }}'
{%- endmacro %}

{% macro next_period(expr) -%}
    strftime(strptime({{ expr }} || '01', '%Y%m%d') + interval 1 month, '%Y%m')
{%- endmacro %}

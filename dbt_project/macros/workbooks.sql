{#-
    Kab/kota workbooks accumulate over periods (current_rows(..., accumulate=true)); these helpers
    read them the same way in every model.

    newest_workbook_row(relation, key): one row per `key` - a row repeated in a later workbook (its
    status or decision updated) keeps the newest period's row.
    worklist_desa(region_code, desa_code, dtks_desa_code): where a row goes on the region's worklist -
    the person's address, else their DTKS desa, when it lies in the region; else null.
-#}
{% macro newest_workbook_row(relation, key) -%}
    select * from {{ relation }}
    where {{ key }} is not null
    qualify row_number() over (
        partition by {{ key }} order by period desc, _delivery_id desc, _row_number
    ) = 1
{%- endmacro %}

{% macro worklist_desa(region_code, desa_code, dtks_desa_code) -%}
    case
        when starts_with({{ desa_code }}, {{ region_code }} || '.') then {{ desa_code }}
        when starts_with({{ dtks_desa_code }}, {{ region_code }} || '.') then {{ dtks_desa_code }}
    end
{%- endmacro %}

{#-
    current_rows(source_name, table_name): the rows of a raw table whose delivery is current.

    A region re-delivering a file supersedes the earlier delivery (raw.delivery_log.is_current); the
    superseded rows stay in raw for the audit trail but must not be integrated twice. Adds the
    delivery's region_code and period as `_delivery_region_code`, `_delivery_period`.
-#}
{% macro current_rows(source_name, table_name) -%}
    select
        rows.*,
        deliveries.region_code as _delivery_region_code,
        deliveries.period as _delivery_period
    from {{ source(source_name, table_name) }} as rows
    inner join {{ source('ingest', 'delivery_log') }} as deliveries
        on rows._delivery_id = deliveries.delivery_id
    where deliveries.is_current
{%- endmacro %}

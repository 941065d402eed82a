{#-
    current_rows(source_name, table_name, accumulate=false): the rows of a raw table that this run
    integrates.

    A region re-delivering a file supersedes the earlier delivery of the same period
    (raw.delivery_log.is_current); the superseded rows stay in raw for the audit trail but must not be
    integrated twice. Deliveries of a period after the run's (var('period')) are ignored. Then:
      accumulate=false  registers (DTKS, Regsosek, Dukcapil): per region, only the newest period's
                        delivery - the state of the register as of the run's period;
      accumulate=true   event lists (kab/kota usulan, sanggahan, ground checks): every period up to
                        the run's, so that a ground check reported last period can apply now.
    Adds the delivery's region_code and period as `_delivery_region_code`, `_delivery_period`.
-#}
{% macro current_rows(source_name, table_name, accumulate=false) -%}
    select
        rows.*,
        deliveries.region_code as _delivery_region_code,
        deliveries.period as _delivery_period
    from {{ source(source_name, table_name) }} as rows
    inner join (
        select delivery_id, region_code, period
        from {{ source('ingest', 'delivery_log') }}
        where is_current
            and period <= {{ run_period() }}
            and delivery_id in (select _delivery_id from {{ source(source_name, table_name) }})
        {%- if not accumulate %}
        qualify period = max(period) over (partition by region_code)
        {%- endif %}
    ) as deliveries
        on rows._delivery_id = deliveries.delivery_id
{%- endmacro %}

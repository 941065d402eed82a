-- Warning: current deliveries of a period after the run's (var('period')) are not integrated by this
-- run. Usually TERPADU_PERIOD lags the data (set it to the newest period), rarely a misnamed file.
select source, region_code, period, delivery_id
from {{ source('ingest', 'delivery_log') }}
where is_current and period > {{ run_period() }}

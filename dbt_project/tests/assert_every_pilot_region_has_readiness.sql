-- A pilot region with no data still gets a readiness row: never silently missing.
select pilots.region_code
from {{ ref('stg_reference__pilot_regions') }} as pilots
left join {{ ref('fct_region_readiness') }} as readiness using (region_code)
where readiness.region_code is null

-- fct_sanggahan: is_open and is_past_sla follow from the status and the age (a rule, not a delivered
-- value): open = BELUM; past SLA = open and days_open > sla_days; sla_days = var('sanggahan_sla_days').
select sanggahan_id, verification_status, days_open, sla_days, is_open, is_past_sla
from {{ ref('fct_sanggahan') }}
where is_open <> (verification_status = 'BELUM')
    or is_past_sla <> coalesce(verification_status = 'BELUM' and days_open > sla_days, false)
    or sla_days <> {{ var('sanggahan_sla_days') }}

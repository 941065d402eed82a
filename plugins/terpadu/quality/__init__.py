"""The quality gate: GX suites per region (`validate_region`) and their audit rows (`record_results`).

GX is imported lazily (it takes seconds), so `terpadu --help` and the DAG parser stay fast.
"""

from __future__ import annotations

import logging

from terpadu.quality.gate import read_gate, validate_region, validate_regions
from terpadu.quality.results import record_results

# GX logs every decorator it registers at INFO; keep task logs readable.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

__all__ = ["read_gate", "record_results", "validate_region", "validate_regions"]

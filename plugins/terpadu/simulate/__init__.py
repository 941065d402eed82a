"""`terpadu simulate`: a synthetic population and the four agencies' deliveries, with an answer key.

See docs/contracts/*.md for the files and `defects.DefectRates` for what is planted and how often.
"""

from terpadu.simulate.defects import DefectRates
from terpadu.simulate.engine import simulate

__all__ = ["DefectRates", "simulate"]

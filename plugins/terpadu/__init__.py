"""Terpadu: Airflow + DuckDB + dbt + Great Expectations for Indonesia's integrated social registry."""

__version__ = "0.1.0"

"""Airflow wiring: Assets, DAG factories, the local Airflow environment, and `terpadu run`."""

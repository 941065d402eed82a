"""Small helpers DAG tasks share: settings, the run id handed down by Asset events, and a readable
name for each mapped task instance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from terpadu import runs
from terpadu.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


def run_id_from_events(context: Mapping[str, Any], asset_uri: str) -> str:
    """The run id carried in the `extra` of the Asset event that triggered this DAG run.

    A manual trigger (or `dag.test()`) has no event: fall back to the newest integrated run.
    """
    events = context.get("triggering_asset_events") or {}
    for asset, asset_events in dict(events).items():
        if getattr(asset, "uri", str(asset)) != asset_uri:
            continue
        for event in reversed(list(asset_events)):
            run_id = (getattr(event, "extra", None) or {}).get("run_id")
            if run_id:
                return run_id
    return runs.current_run_id(get_settings())


def name_map_index(region_code: str) -> None:
    """Show mapped task instances by region code in the Airflow UI (map_index_template)."""
    from airflow.sdk import get_current_context

    get_current_context()["region_code"] = region_code


def describe_reasons(reasons: list[dict]) -> list[str]:
    """Gate reasons ({suite, rule, id, en}) as lines for logs and the CLI, Bahasa Indonesia first."""
    lines = []
    for reason in reasons:
        text = " / ".join(part for part in (reason.get("id"), reason.get("en")) if part)
        lines.append(f"{text} [{reason.get('suite')}: {reason.get('rule')}]")
    return lines


def collect(mapped_results) -> list:
    """The results of a mapped task as a list.

    Indexes Airflow's lazy XCom sequence by its length: plain iteration probes one past the end,
    which Airflow logs as an error ("XCom not found") that would mislead operators.
    """
    return [mapped_results[i] for i in range(len(mapped_results))]

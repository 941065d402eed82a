"""`terpadu run` (the whole pipeline through the DAGs) and `terpadu airflow` (the UI)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from terpadu.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the pipeline's Airflow DAGs in order, without a scheduler (dag.test)",
        description="Run ingest → integrate → quality_gate → publish through the project's Airflow DAGs "
        "in this process. With --simulate, first write simulated deliveries for the pilot regions.",
    )
    run.add_argument("--simulate", action="store_true", help="simulate deliveries into the inbox first")
    size = run.add_mutually_exclusive_group()
    size.add_argument("--persons", type=int, help="with --simulate: total persons across the regions")
    size.add_argument("--scale", type=float, help="with --simulate: fraction of each region's population")
    run.add_argument("--seed", type=int, default=20261, help="with --simulate: random seed (default 20261)")
    run.add_argument("--dags", help="comma-separated DAG ids to run (default: all, in pipeline order)")
    run.add_argument(
        "--corrupt-region", metavar="CODE",
        help="demo of the quality gate: break one error expectation in this region's exported marts "
        "after integration, so the gate holds it back while the others publish",
    )
    run.add_argument("--corrupt-rule", help="with --corrupt-region: which rule to break (default: the gate's choice)")
    run.set_defaults(func=_run)

    ui = subparsers.add_parser(
        "airflow",
        help="start `airflow standalone` (UI + scheduler) on 127.0.0.1 with the project's DAGs",
    )
    ui.add_argument("--port", type=int, default=8080)
    ui.set_defaults(func=_airflow)


def _run(args: argparse.Namespace) -> int:
    from terpadu.orchestration import runner

    settings = get_settings()
    print(f"terpadu run: state in {settings.state_dir} (code {settings.code_version})")
    if args.simulate:
        from terpadu.simulate import simulate

        print("\n=== simulate " + "=" * 55)
        simulate(settings, persons=args.persons, scale=args.scale, seed=args.seed)
    dag_ids = args.dags.split(",") if args.dags else None
    after = {}
    if args.corrupt_region:
        after["integrate"] = lambda: _corrupt(settings, args.corrupt_region, args.corrupt_rule)
    try:
        outcomes = runner.run_dags(settings, dag_ids, after=after)
    except runner.PipelineFailed as error:
        print(f"\nterpadu run: FAILED: {error}", file=sys.stderr)
        return 1
    if dag_ids and "publish" not in dag_ids:
        return 0
    summary = runner.pipeline_summary(settings, outcomes)
    runner.print_summary(summary)
    return 0


def _corrupt(settings, region_code: str, rule: str | None) -> None:
    from terpadu import runs
    from terpadu.quality.chaos import corrupt_region

    run_id = runs.current_run_id(settings)
    result = corrupt_region(run_id, region_code, settings, **({"rule": rule} if rule else {}))
    print(f"\n!!! region {region_code} of run {run_id} corrupted on purpose ({result.get('rule')}): "
          "the quality gate must hold it back")


def _airflow(args: argparse.Namespace) -> int:
    from terpadu.orchestration import airflow_env

    settings = get_settings()
    airflow_env.ensure_metadata(settings)
    env = {**os.environ, **airflow_env.airflow_environ(settings, args.port)}
    # `airflow standalone` starts `airflow` sub-processes by name.
    env["PATH"] = f"{airflow_env.airflow_bin().parent}{os.pathsep}{env.get('PATH', '')}"
    print(f"Airflow UI: http://127.0.0.1:{args.port}  (login: admin; password in "
          f"{settings.airflow_home}/simple_auth_manager_passwords.json.generated)")
    return subprocess.call([str(airflow_env.airflow_bin()), "standalone"], env=env)

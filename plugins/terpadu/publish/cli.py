"""`terpadu publish`: publish each region's release (or hold it) and rebuild the portal."""

from __future__ import annotations

import argparse

from terpadu.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish", help="publish a release per region that passed the quality gate, then the portal",
        description="Publish each region's release; regions held by the quality gate keep their previous release.",
    )
    parser.add_argument("--run", dest="run_id", help="run id (default: state/runs/CURRENT)")
    parser.add_argument("--regions", nargs="+", metavar="CODE", help="region codes (default: all pilot regions)")
    parser.add_argument("--no-national", action="store_true",
                        help="skip the pseudonymised national analyst extract (national/<run_id>/)")
    parser.set_defaults(func=_run)

    policy = subparsers.add_parser(
        "bucket-policy", help="print the S3 bucket policy (per-region read access) for the pilot regions",
        description="Generate the bucket policy document the deployment applies (see deploy/README.md).",
    )
    policy.add_argument("--bucket", default="terpadu-releases")
    policy.add_argument("--prefix", default="", help="key prefix, as in TERPADU_OBJECT_STORE=s3://bucket/prefix")
    policy.add_argument("--account", default=None, help="AWS account id of the roles (default: an example id)")
    policy.set_defaults(func=_policy)


def _policy(args: argparse.Namespace) -> int:
    from terpadu import reference
    from terpadu.publish.policy import EXAMPLE_ACCOUNT, bucket_policy, render

    settings = get_settings()
    codes = [r.code for r in reference.pilot_regions(settings.pilot_regions_file)]
    print(render(bucket_policy(args.bucket, codes, args.prefix, args.account or EXAMPLE_ACCOUNT)), end="")
    return 0


def _run(args: argparse.Namespace) -> int:
    import time

    from terpadu import reference
    from terpadu.publish import build_portal, publish_national, publish_region
    from terpadu.runs import current_run_id

    settings = get_settings()
    run_id = args.run_id or current_run_id(settings)
    regions = args.regions or [r.code for r in reference.pilot_regions()]
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for code in regions:
        try:
            outcome = publish_region(run_id, code, settings)
        except FileNotFoundError as error:  # not validated in this run: its last release stays
            counts["skipped"] = counts.get("skipped", 0) + 1
            print(f"SKIPPED    {code}: {error}")
            continue
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
        print(f"{outcome['status'].upper():10} {code} {outcome.get('region_name') or ''}")
        for reason in outcome.get("reasons", []):
            print(f"    {reason['id']} / {reason['en']}")
        if outcome["status"] == "held":
            previous = outcome["latest_run_id"] or "none"
            print(f"    previous release stays current: {previous}")
    if not args.no_national:
        national = publish_national(run_id, settings, regions)
        print(f"national extract: {national['status']} {national['manifest_key']}")
    print(f"portal: {build_portal(run_id, settings)}")
    print(", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
          + f" in {time.perf_counter() - started:.1f} s")
    return 0

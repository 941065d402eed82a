"""The bucket policy the deployment applies: each region reads only its own releases and portal page.

Principals are IAM roles in the deployment's account:
  terpadu-region-<code>      one per pilot region: GetObject on releases/<code>/* and portal/<code>.html
  terpadu-data-team          reads the private areas: landing/ (raw deliveries, clear NIK), private/
                             (the gate's GX Data Docs, with sample values), the publish audit log,
                             the portal and the national extract
  terpadu-national-analyst   reads national/* (pseudonymised) and the portal index
  terpadu-publisher          writes releases/, portal/, national/, private/ (the publish and gate
                             DAGs' credentials)
  terpadu-ingest             writes landing/ (the ingest DAGs' credentials)

A bucket policy grants nothing beyond its statements, so isolation holds as long as the region roles
carry no identity policy with S3 rights (deploy/README.md). Regions get no ListBucket: latest.json and
their portal page name every key they need, and listing would show other regions' prefixes.
S3 caps a bucket policy at 20 KB; one statement per region keeps 41 regions well inside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

EXAMPLE_ACCOUNT = "111122223333"  # AWS's documentation account: replace when generating for real
POLICY_LIMIT_BYTES = 20 * 1024
_CODE = re.compile(r"^\d{2}\.\d{2}$")


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def region_role(code: str) -> str:
    return f"terpadu-region-{code}"


def _sid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def bucket_policy(bucket: str, regions: Iterable[str], prefix: str = "", account: str = EXAMPLE_ACCOUNT) -> dict:
    """The bucket policy for `bucket` (objects under `prefix`, as in TERPADU_OBJECT_STORE=s3://bucket/prefix)."""
    base = f"arn:aws:s3:::{bucket}"
    root = f"{base}/{prefix.strip('/')}/" if prefix.strip("/") else f"{base}/"

    def objects(*keys: str) -> list[str]:
        return [root + key for key in keys]

    def principal(name: str) -> dict:
        return {"AWS": role_arn(account, name)}

    codes = sorted(set(regions))
    for code in codes:
        if not _CODE.match(code):  # a code like "35" or "35.*" would widen the grant to many regions
            raise ValueError(f"{code!r} is not a kab/kota code (NN.NN)")
    statements: list[dict] = [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [base, f"{base}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "PublisherWritesReleases", "Effect": "Allow", "Principal": principal("terpadu-publisher"),
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": objects("releases/*", "portal/*", "national/*", "private/*")},
        {"Sid": "IngestWritesLanding", "Effect": "Allow", "Principal": principal("terpadu-ingest"),
         "Action": ["s3:GetObject", "s3:PutObject"], "Resource": objects("landing/*")},
        {"Sid": "PipelineLists", "Effect": "Allow",
         "Principal": {"AWS": [role_arn(account, "terpadu-publisher"), role_arn(account, "terpadu-ingest"),
                               role_arn(account, "terpadu-data-team")]},
         "Action": "s3:ListBucket", "Resource": base},
        {"Sid": "DataTeamReadsPrivate", "Effect": "Allow", "Principal": principal("terpadu-data-team"),
         "Action": "s3:GetObject",
         "Resource": objects("landing/*", "private/*", "releases/_audit/*", "portal/*", "national/*")},
        {"Sid": "NationalAnalystsReadPseudonymised", "Effect": "Allow",
         "Principal": principal("terpadu-national-analyst"), "Action": "s3:GetObject",
         "Resource": objects("national/*", "portal/index.html")},
    ]
    for code in codes:
        statements.append({
            "Sid": f"Region{_sid(code)}ReadsOwnRelease", "Effect": "Allow", "Principal": principal(region_role(code)),
            "Action": "s3:GetObject", "Resource": objects(f"releases/{code}/*", f"portal/{code}.html"),
        })
    return {"Version": "2012-10-17", "Id": f"terpadu-{bucket}", "Statement": statements}


def render(policy: dict) -> str:
    """The committed form: stable key order, two-space indent, trailing newline."""
    return json.dumps(policy, indent=2) + "\n"


def minified_size(policy: dict) -> int:
    return len(json.dumps(policy, separators=(",", ":")).encode())

"""The committed bucket policy is what the generator makes for the pilot list, and no region's role
is granted anything outside its own release prefix and portal page."""

from __future__ import annotations

import json

import pytest
from terpadu import reference
from terpadu.publish.policy import POLICY_LIMIT_BYTES, bucket_policy, minified_size, region_role, render
from terpadu.settings import PACKAGE_DIR

COMMITTED = PACKAGE_DIR.parent.parent / "deploy" / "s3-bucket-policy.json"
CODES = [r.code for r in reference.pilot_regions()]


def _principals(statement: dict) -> list[str]:
    principal = statement["Principal"]
    if principal == "*":
        return ["*"]
    arns = principal["AWS"]
    return [arns] if isinstance(arns, str) else arns


def _list(value) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_committed_policy_matches_the_generator():
    assert len(CODES) == 41
    expected = render(bucket_policy("terpadu-releases", CODES))
    assert COMMITTED.read_text() == expected, (
        "deploy/s3-bucket-policy.json is stale: regenerate with "
        "`terpadu bucket-policy > deploy/s3-bucket-policy.json`")


@pytest.mark.parametrize("prefix", ["", "pilot"])
def test_each_region_reads_only_its_own_prefix(prefix):
    policy = bucket_policy("terpadu-releases", CODES, prefix=prefix)
    root = "arn:aws:s3:::terpadu-releases/" + (f"{prefix}/" if prefix else "")
    for code in CODES:
        role = f"arn:aws:iam::111122223333:role/{region_role(code)}"
        mine = [s for s in policy["Statement"] if role in _principals(s)]
        assert len(mine) == 1, code
        statement = mine[0]
        assert statement["Effect"] == "Allow" and _list(statement["Action"]) == ["s3:GetObject"]
        assert sorted(_list(statement["Resource"])) == sorted([f"{root}portal/{code}.html",
                                                               f"{root}releases/{code}/*"])
        # no statement, whoever it names, hands this region's role another region's files
        for other in CODES:
            if other == code:
                continue
            for s in policy["Statement"]:
                if s["Effect"] == "Allow" and role in _principals(s):
                    assert not any(f"releases/{other}/" in r or f"portal/{other}.html" in r
                                   for r in _list(s["Resource"]))
        # and no region grant is a wildcard over all releases
        assert not any(r.endswith("releases/*") for r in _list(statement["Resource"]))
    # only the publisher and the data team reach other areas; nobody else is allowed "*"
    for s in policy["Statement"]:
        if s["Effect"] == "Allow":
            assert "*" not in _principals(s)


def test_private_areas_and_writes_are_not_granted_to_regions():
    policy = bucket_policy("terpadu-releases", CODES)
    for s in policy["Statement"]:
        names = [p.rsplit("/", 1)[-1] for p in _principals(s)]
        resources = " ".join(_list(s["Resource"]))
        if any(n.startswith("terpadu-region-") for n in names):
            assert "landing/" not in resources and "national/" not in resources and "_audit" not in resources
            assert "private/" not in resources  # GX Data Docs carry sample values
        if s["Effect"] == "Allow" and set(_list(s["Action"])) & {"s3:PutObject", "s3:DeleteObject"}:
            assert set(names) <= {"terpadu-publisher", "terpadu-ingest"}


def test_policy_fits_the_s3_size_limit_and_is_valid_json():
    policy = json.loads(COMMITTED.read_text())
    assert policy["Version"] == "2012-10-17"
    assert minified_size(policy) < POLICY_LIMIT_BYTES  # S3 rejects bucket policies over 20 KB
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))


def test_a_malformed_region_code_is_refused():
    with pytest.raises(ValueError, match="kab/kota"):
        bucket_policy("b", ["35"])  # would otherwise widen to releases/35/* (no such prefix, but no guesses)

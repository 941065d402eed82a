"""The publisher against a real S3 API server on 127.0.0.1 (moto's ThreadedMotoServer over HTTP).

Failures are injected where they happen in production: in botocore's request pipeline (event
hooks on the publisher's own client), not by replacing the store. Every test gets its own bucket;
the gate runs once for the module (GX costs seconds) and its results are copied into each test's
state folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlparse

import boto3
import duckdb
import pytest
from openpyxl import load_workbook
from terpadu.publish import build_portal, publish_national, publish_region
from terpadu.publish.national import NotPseudonymisedError
from terpadu.publish.release import VerificationError
from terpadu.quality import validate_region
from terpadu.quality.suites import FLAG_TYPES
from terpadu.settings import Settings
from terpadu.storage import open_store

from tests.unit.test_quality_fixtures import REGION_A, REGION_B, build_marts, make_settings, nik_for, write_run

pytestmark = pytest.mark.slow  # starts a server

R1, R2 = "20261001T000000Z", "20261101T000000Z"
NO_DATA = "35.73"
PILOTS = (REGION_A, REGION_B, NO_DATA)
STORE_PREFIX = "pilot"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class InjectedFailure(Exception):
    """Raised by a hook in the middle of an upload."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as mp:
        for name, value in AWS_ENV.items():
            mp.setenv(name, value)
        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="module")
def gated_runs(tmp_path_factory) -> Path:
    """state/runs of run R1 (marts + the real gate's results for every pilot region), to copy."""
    with pytest.MonkeyPatch.context() as mp:
        settings = make_settings(tmp_path_factory.mktemp("gated"), mp)
        write_run(settings, R1, build_marts())
        outcomes = {code: validate_region(R1, code, settings)["passed"] for code in PILOTS}
        assert outcomes == {REGION_A: True, REGION_B: True, NO_DATA: False}  # no data → held
        return settings.state_dir / "runs"


def _side_client(endpoint: str):
    """A client from its own session: the test's hooks on the default session never touch it."""
    return boto3.session.Session(**{"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
                                    "region_name": "us-east-1"}).client("s3", endpoint_url=endpoint)


@pytest.fixture
def s3(tmp_path, monkeypatch, endpoint, gated_runs) -> Settings:
    make_settings(tmp_path, monkeypatch)
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    bucket = f"terpadu-{uuid.uuid4().hex[:12]}"
    _side_client(endpoint).create_bucket(Bucket=bucket)
    monkeypatch.setenv("TERPADU_OBJECT_STORE", f"s3://{bucket}/{STORE_PREFIX}")
    monkeypatch.setenv("TERPADU_S3_ENDPOINT_URL", endpoint)
    settings = Settings.from_env()
    shutil.copytree(gated_runs, settings.state_dir / "runs")
    return settings


@pytest.fixture
def events():
    """botocore's event system of boto3's default session: every store the publisher opens gets a
    client from it, so handlers registered here run inside the publisher's own requests."""
    boto3.setup_default_session()
    try:
        yield boto3.DEFAULT_SESSION.events
    finally:
        boto3.DEFAULT_SESSION = None


def _store(settings):
    return open_store(settings.object_store_url, settings.s3_endpoint_url)


def _bucket(settings) -> str:
    return urlparse(settings.object_store_url).netloc


def _objects(settings) -> dict[str, tuple[int, str, datetime]]:
    """Every object of the bucket with size, ETag and last-modified (raw, not through the store)."""
    client = _side_client(settings.s3_endpoint_url)
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=_bucket(settings)):
        for item in page.get("Contents", []):
            out[item["Key"]] = (item["Size"], item["ETag"], item["LastModified"])
    return out


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if name in {"href", "src"} and value]


def hrefs(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _key_of(url: str, settings) -> str:
    """Store key of a link (absolute presigned URL, or relative to portal/<page>.html)."""
    absolute = urljoin(f"{settings.s3_endpoint_url}/{_bucket(settings)}/{STORE_PREFIX}/portal/page.html", url)
    path = unquote(urlparse(absolute).path)
    lead = f"/{_bucket(settings)}/{STORE_PREFIX}/"
    assert path.startswith(lead), f"link outside the store: {url}"
    return path[len(lead):]


def _frames_with_score(score: float):
    frames = build_marts()
    frames["fct_region_readiness"]["readiness_score"] = score
    return frames


def _gate_r2(settings, codes=(REGION_A,), score=0.86):
    write_run(settings, R2, _frames_with_score(score))
    for code in codes:
        assert validate_region(R2, code, settings)["passed"]


# --- (a) atomic switch ----------------------------------------------------------------------------
def test_failure_mid_upload_leaves_the_previous_release_current(s3, events):
    assert publish_region(R1, REGION_A, s3)["status"] == "published"
    store = _store(s3)
    latest_before = store.get_bytes(f"releases/{REGION_A}/latest.json")
    _gate_r2(s3)

    puts: list[str] = []

    def fail_third_put(params, **kwargs):
        puts.append(params["Key"])
        if len(puts) == 3:
            raise InjectedFailure(params["Key"])

    events.register("before-parameter-build.s3.PutObject", fail_third_put)
    with pytest.raises(InjectedFailure):
        publish_region(R2, REGION_A, s3)
    events.unregister("before-parameter-build.s3.PutObject", fail_third_put)

    # the failure hit the release's own files, after two had landed
    assert len(puts) >= 3 and all(k.startswith(f"{STORE_PREFIX}/releases/{REGION_A}/{R2}/") for k in puts[:3])
    assert store.get_bytes(f"releases/{REGION_A}/latest.json") == latest_before
    assert not list(store.list(f"releases/{REGION_A}/{R2}/")), "a half-uploaded release is still listed"
    audit = json.loads(store.get_bytes(f"releases/_audit/{R2}/{REGION_A}.json"))
    assert audit[-1]["what"] == "failed" and "InjectedFailure" in audit[-1]["error"]

    build_portal(R2, s3)
    page = store.get_bytes(f"portal/{REGION_A}.html").decode()
    keys = [_key_of(h, s3) for h in hrefs(page)]
    assert keys and all(k.startswith(f"releases/{REGION_A}/{R1}/") or k == "portal/index.html" for k in keys)
    assert R2 not in "".join(keys)

    # the retry completes the release and only then switches
    assert publish_region(R2, REGION_A, s3)["status"] == "published"
    assert json.loads(store.get_bytes(f"releases/{REGION_A}/latest.json"))["run_id"] == R2
    # re-running the older run afterwards must not move latest backwards
    assert publish_region(R1, REGION_A, s3)["status"] == "superseded"
    assert json.loads(store.get_bytes(f"releases/{REGION_A}/latest.json"))["run_id"] == R2


# --- (b) checksums ---------------------------------------------------------------------------------
def test_checksum_verification_catches_an_object_corrupted_after_upload(s3, events):
    side = _side_client(s3.s3_endpoint_url)
    corrupted: list[str] = []

    def remember_key(params, context, **kwargs):
        context["terpadu_key"] = params["Key"]

    def corrupt_csv(context, **kwargs):
        # Same size, one byte changed: a size check passes, only the checksum can notice.
        key = context.get("terpadu_key", "")
        if key.endswith("/extract/persons.csv") and not corrupted:
            data = bytearray(side.get_object(Bucket=_bucket(s3), Key=key)["Body"].read())
            data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
            side.put_object(Bucket=_bucket(s3), Key=key, Body=bytes(data))
            corrupted.append(key)

    events.register("before-parameter-build.s3.PutObject", remember_key)
    events.register("after-call.s3.PutObject", corrupt_csv)
    with pytest.raises(VerificationError, match=r"extract/persons\.csv: sha256"):
        publish_region(R1, REGION_A, s3)
    assert corrupted == [f"{STORE_PREFIX}/releases/{REGION_A}/{R1}/extract/persons.csv"]
    store = _store(s3)
    assert not store.exists(f"releases/{REGION_A}/latest.json"), "switched to a corrupted release"
    assert not list(store.list(f"releases/{REGION_A}/{R1}/"))


# --- (c) presigned links: expiry and isolation -------------------------------------------------------
def test_links_carry_the_configured_expiry_and_never_cross_regions(s3, monkeypatch):
    monkeypatch.setenv("TERPADU_LINK_EXPIRES", "3600")
    for code in PILOTS:
        publish_region(R1, code, s3)
    signed_at = datetime.now(UTC)
    index_url = build_portal(R1, s3)
    store = _store(s3)

    def check_signature(url: str) -> None:
        query = parse_qs(urlparse(url).query)
        assert query["X-Amz-Expires"] == ["3600"], url
        when = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert abs((when - signed_at).total_seconds()) < 300
        assert query["X-Amz-Signature"][0]

    check_signature(index_url)
    assert _key_of(index_url, s3) == "portal/index.html"

    index = store.get_bytes("portal/index.html").decode()
    index_links = hrefs(index)
    # The index signs nothing: holding it must not open any region's files (see portal.py).
    assert sorted(index_links) == sorted(f"{code}.html" for code in PILOTS)
    assert "X-Amz-" not in index

    for code in PILOTS:
        page = store.get_bytes(f"portal/{code}.html").decode()
        keys = set()
        for href in hrefs(page):
            key = _key_of(href, s3)
            if key == "portal/index.html":
                continue
            assert key.startswith(f"releases/{code}/"), f"{code}'s page links {key}"
            check_signature(href)
            keys.add(key)
            # the link works, and serves exactly what the manifest promises
            with urllib.request.urlopen(href, timeout=10) as response:
                body = response.read()
            manifest = json.loads(store.get_bytes(f"releases/{code}/{R1}/manifest.json"))
            entry = {f"releases/{code}/{R1}/{f['path']}": f for f in manifest["files"]}.get(key)
            if entry:
                assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        others = [c for c in PILOTS if c != code]
        assert not any(f"releases/{other}/" in page for other in others)
        if code == NO_DATA:
            assert not keys
        else:
            manifest = json.loads(store.get_bytes(f"releases/{code}/{R1}/manifest.json"))
            assert keys == {f"releases/{code}/{R1}/{f['path']}" for f in manifest["files"]} | {
                f"releases/{code}/{R1}/manifest.json"}


# --- (d) idempotence ---------------------------------------------------------------------------------
def test_republishing_is_a_no_op_on_s3(s3):
    assert publish_region(R1, REGION_A, s3)["status"] == "published"
    store = _store(s3)
    before, latest = _objects(s3), store.get_bytes(f"releases/{REGION_A}/latest.json")
    time.sleep(1.1)  # LastModified has one-second resolution: a rewrite would show
    again = publish_region(R1, REGION_A, s3)
    assert again["status"] == "unchanged"
    assert _objects(s3) == before
    assert store.get_bytes(f"releases/{REGION_A}/latest.json") == latest


# --- (e) worklists -----------------------------------------------------------------------------------
TRICKY_NIKS = [
    "0000000000000001",           # leading zeros: Excel would drop them
    "0101010101010101",
    "3510010101900001",           # an ordinary 16-digit NIK: Excel keeps 15 significant digits
    "3510019999999999",
    "351001010190000100000042",   # a long digit string (two NIKs typed together)
    "3.51001E+15",                # already mangled upstream: must stay as delivered
    "00351001",                   # short, leading zeros
    "351001 0101900001",          # with a space
]


def test_worklist_nik_cells_are_text_and_round_trip_exactly(s3):
    frames = build_marts()
    flags = frames["fct_person_flags"]
    assert len(flags) == len(TRICKY_NIKS) == len(FLAG_TYPES)
    flags["nik"] = TRICKY_NIKS
    run = "20261002T000000Z"
    write_run(s3, run, frames)
    assert validate_region(run, REGION_A, s3)["passed"]
    assert publish_region(run, REGION_A, s3)["status"] == "published"
    store = _store(s3)
    expected = dict(zip(flags.person_id + "|" + flags.flag_type, TRICKY_NIKS, strict=True))
    manifest = json.loads(store.get_bytes(f"releases/{REGION_A}/{run}/manifest.json"))
    books = [f for f in manifest["files"] if f["path"].startswith("worklists/")]
    assert books
    found = {}
    for entry in books:
        data = store.get_bytes(f"releases/{REGION_A}/{run}/{entry['path']}")
        book = load_workbook(BytesIO(data))
        for sheet in book.worksheets:
            if sheet.title not in FLAG_TYPES:  # the clerical-review pairs: test_publish_sections.py
                assert sheet.title == "clerical_review"
                continue
            assert [c.value for c in sheet[1]][:2] == ["person_id", "NIK"]
            for row in sheet.iter_rows(min_row=2):
                cell = row[1]
                assert cell.data_type == "s" and cell.number_format == "@", (sheet.title, cell.value)
                found[f"{row[0].value}|{sheet.title}"] = cell.value
    assert found == expected


# --- (f) the report ----------------------------------------------------------------------------------
def test_reports_render_with_and_without_flags_and_never_show_a_clear_nik(s3):
    for code in PILOTS:
        publish_region(R1, code, s3)
    build_portal(R1, s3)
    store = _store(s3)
    with_flags = store.get_bytes(f"releases/{REGION_A}/{R1}/readiness.html").decode()
    without = store.get_bytes(f"releases/{REGION_B}/{R1}/readiness.html").decode()
    for flag_type in FLAG_TYPES:
        assert flag_type in with_flags
    assert with_flags.count("<svg") >= 3  # trend, desil, flags by type
    assert 'aria-label="Temuan menurut jenis"' in with_flags
    assert "Tidak ada temuan" in without and 'aria-label="Temuan menurut jenis"' not in without  # no flag chart
    for html in (with_flags, without):
        assert 'name="viewport"' in html and "Belum cukup rilis" in html
    flagged = nik_for(REGION_A, 1)
    assert f"{flagged[:4]}********{flagged[-4:]}" in with_flags
    pages = [info.key for info in store.list("") if info.key.endswith(".html")]
    assert len(pages) == 2 + 1 + len(PILOTS)  # two reports, the index, a page per region
    for key in pages:
        assert not re.search(r"(?<!\d)\d{16}(?!\d)", store.get_bytes(key).decode()), key


# --- national analyst extract ------------------------------------------------------------------------
def test_national_extract_is_pseudonymised_and_outside_every_region(s3):
    for code in PILOTS:
        publish_region(R1, code, s3)
    result = publish_national(R1, s3, list(PILOTS))
    assert result["status"] == "published" and result["manifest_key"] == f"national/{R1}/manifest.json"
    store = _store(s3)
    local = s3.state_dir / "check" / "analyst_persons.parquet"
    store.download(f"national/{R1}/analyst_persons.parquet", local)
    manifest = json.loads(store.get_bytes(f"national/{R1}/manifest.json"))
    assert manifest["files"][0]["sha256"] == hashlib.sha256(local.read_bytes()).hexdigest()
    con = duckdb.connect()
    columns = [r[0] for r in con.execute("describe select * from read_parquet(?)", [str(local)]).fetchall()]
    assert "nik" not in columns and "full_name" not in columns and "nik_hash" in columns
    values = {str(v) for c in columns
              for (v,) in con.execute(f'select distinct "{c}" from read_parquet(?)', [str(local)]).fetchall()}
    assert not [v for v in values if re.fullmatch(r"\d{16}", v)]
    clear = {nik_for(code, i) for code in (REGION_A, REGION_B) for i in range(40)}
    assert not values & clear
    assert con.execute("select count(*) from read_parquet(?)", [str(local)]).fetchone()[0] == 80
    assert not any(info.key.startswith("releases/") and "analyst" in info.key for info in store.list(""))
    build_portal(R1, s3)
    for code in PILOTS:
        assert "national/" not in store.get_bytes(f"portal/{code}.html").decode()
    before = _objects(s3)
    assert publish_national(R1, s3, list(PILOTS))["status"] == "unchanged"
    assert _objects(s3) == before


def test_national_extract_refuses_a_clear_nik(s3):
    frames = build_marts()
    analyst = frames["analyst_persons"]
    analyst["family_id"] = [nik_for(REGION_A, i) for i in range(len(analyst))]  # a NIK leaking into a column
    run = "20261003T000000Z"
    write_run(s3, run, frames)
    # The gate would hold this (analyst_persons.no_clear_nik); the publisher is the second line of
    # defence, so give it gate results that say "passed" (those of R1, same regions).
    shutil.copytree(s3.state_dir / "runs" / R1 / "gate", s3.state_dir / "runs" / run / "gate")
    with pytest.raises(NotPseudonymisedError, match="clear NIKs"):
        publish_national(run, s3, list(PILOTS))
    assert not list(_store(s3).list("national/"))

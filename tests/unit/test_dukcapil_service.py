"""The simulated Dukcapil web service over real simulator output: auth, pagination, rate limit,
injected failures, latency, loopback-only binding, and the CLI wiring."""

import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import replace

import pandas as pd
import pytest
from terpadu.cli import build_parser
from terpadu.settings import Settings
from terpadu.simulate import simulate
from terpadu.simulate.dukcapil_service import TokenBucket, serve_dukcapil

TOKEN = "rahasia-uji"
REGION = "81.71"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = replace(Settings.from_env(), state_dir=tmp_path_factory.mktemp("dukcapil"))
    simulate(s, regions=["81.71", "35.10"], persons=4000, seed=3, period="202610", progress=lambda *_: None)
    return s


def _get(server, path, token=TOKEN):
    """(status, headers, json body) without raising on 4xx/5xx."""
    req = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers, json.loads(err.read())


def _csv(settings, region=REGION):
    path = settings.inbox_dir / "dukcapil" / f"DKB_{region.replace('.', '')}_202610.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_auth_required(settings):
    with serve_dukcapil(settings, token=TOKEN, period="202610") as server:
        for token in (None, "salah"):
            status, headers, body = _get(server, f"/api/v1/penduduk?kode_kab={REGION}", token)
            assert status == 401 and body["error"] == "unauthorized"
            assert headers["WWW-Authenticate"].startswith("Bearer")
        status, _, body = _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page_size=3")
        assert status == 200 and len(body["data"]) == 3
        assert _get(server, "/health", None)[0] == 200  # health needs no token
    with pytest.raises(ValueError, match="token"):
        serve_dukcapil(settings, token="", period="202610")


def test_pagination_covers_every_row_once(settings):
    want = _csv(settings)
    with serve_dukcapil(settings, token=TOKEN, period="202610") as server:
        rows, page, pages = [], 1, 0
        while page is not None:
            status, _, body = _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page={page}&page_size=97")
            assert status == 200 and body["page"] == page and body["page_size"] == 97
            assert body["total"] == len(want) and body["total_pages"] == -(-len(want) // 97)
            rows += body["data"]
            page, pages = body["next_page"], pages + 1
        assert pages == body["total_pages"] > 1
        got = pd.DataFrame(rows)
        assert list(got.columns) == list(want.columns)  # the contract's field names, in order
        pd.testing.assert_frame_equal(got, want)  # every row, once, in file order, values as delivered
        status, _, body = _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page={pages + 1}&page_size=97")
        assert status == 200 and body["data"] == [] and body["next_page"] is None
        assert _get(server, "/api/v1/penduduk?kode_kab=8171")[0] == 400
        assert _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page_size=0")[0] == 400
        assert _get(server, "/api/v1/penduduk?kode_kab=11.01")[0] == 404  # no rows for that kab/kota


def test_rate_limit_answers_429_with_retry_after(settings):
    with serve_dukcapil(settings, token=TOKEN, period="202610", rate_limit=2, burst=2) as server:
        statuses = [_get(server, f"/api/v1/penduduk?kode_kab={REGION}&page_size=1") for _ in range(5)]
        limited = [s for s in statuses if s[0] == 429]
        assert [s[0] for s in statuses[:2]] == [200, 200] and limited
        assert int(limited[0][1]["Retry-After"]) >= 1 and limited[0][2]["error"] == "rate_limited"
        time.sleep(int(limited[0][1]["Retry-After"]))
        assert _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page_size=1")[0] == 200


def test_token_bucket_refills_at_rate():
    now = [0.0]
    bucket = TokenBucket(rate=4, burst=2, clock=lambda: now[0])
    assert bucket.take() == 0 and bucket.take() == 0
    assert bucket.take() == pytest.approx(0.25)
    now[0] = 0.25
    assert bucket.take() == 0


def test_fail_pages_fail_once_then_retry_succeeds(settings):
    with serve_dukcapil(settings, token=TOKEN, period="202610", fail_pages=[2]) as server:
        url = f"/api/v1/penduduk?kode_kab={REGION}&page=2&page_size=50"
        status, headers, body = _get(server, url)
        assert status == 503 and body["error"] == "unavailable" and headers["Retry-After"] == "1"
        status, _, body = _get(server, url)
        assert status == 200 and len(body["data"]) == 50
        assert _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page=1&page_size=50")[0] == 200


def test_fail_rate_is_random_but_seeded(settings):
    def statuses(seed):
        with serve_dukcapil(settings, token=TOKEN, period="202610", fail_rate=0.5, seed=seed) as server:
            return [_get(server, f"/api/v1/penduduk?kode_kab={REGION}&page_size=1")[0] for _ in range(40)]

    a, b, other = statuses(1), statuses(1), statuses(2)
    assert set(a) == {200, 503} and 8 <= a.count(503) <= 32
    assert a == b and a != other


def test_latency_is_added(settings):
    with serve_dukcapil(settings, token=TOKEN, period="202610", latency_ms=150) as server:
        t = time.perf_counter()
        assert _get(server, f"/api/v1/penduduk?kode_kab={REGION}&page_size=1")[0] == 200
        assert time.perf_counter() - t >= 0.15


def _non_loopback_ip():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent; picks the outward interface
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def test_binds_loopback_only(settings):
    with pytest.raises(ValueError, match="loopback"):
        serve_dukcapil(settings, host="0.0.0.0", token=TOKEN)
    with serve_dukcapil(settings, token=TOKEN, period="202610") as server:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        ip = _non_loopback_ip()
        if ip:
            with pytest.raises(OSError):
                socket.create_connection((ip, port), timeout=2).close()


def test_cli_keeps_simulate_and_adds_serve():
    parser = build_parser()
    args = parser.parse_args(["simulate", "--persons", "10"])
    assert args.func.__name__ == "_run" and args.persons == 10
    args = parser.parse_args(["simulate", "serve-dukcapil", "--port", "0", "--rate-limit", "5",
                              "--fail-rate", "0.1", "--fail-pages", "3,7", "--latency-ms", "20"])
    assert args.func.__name__ == "_serve" and args.fail_pages == "3,7" and args.rate_limit == 5

"""The Dukcapil web-service pull against the real simulated service on 127.0.0.1: the pulled file is the
DKB file, it survives 503s and 429s, a wrong token fails clearly, a process killed mid-pull resumes
from its checkpoint, drifted JSON writes nothing, and the result goes through the normal ingest path."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import pandas as pd
import pytest
from terpadu.ingest import ingest_source
from terpadu.ingest.dukcapil_pull import (
    COLUMNS,
    CONN_ID,
    RetryPolicy,
    SchemaDrift,
    ServiceUnavailable,
    TokenRejected,
    airflow_pull_regions,
    endpoint_from_connection,
    pull_dir,
    pull_dukcapil,
    read_state,
)
from terpadu.settings import Settings, get_settings
from terpadu.simulate import simulate
from terpadu.simulate.dukcapil_service import serve_dukcapil

TOKEN = "rahasia-uji-pull"
REGION = "81.71"
PERIOD = "202610"
FAST = RetryPolicy(backoff_base=0.01, backoff_max=0.05)  # real backoff logic, test-sized waits
QUIET = None


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Settings:
    """The agency's side: a small simulator run whose DKB file the service serves."""
    s = replace(Settings.from_env(), state_dir=tmp_path_factory.mktemp("dukcapil-agency"))
    simulate(s, regions=[REGION], persons=2500, seed=5, period=PERIOD, progress=lambda *_: None)
    return s


@pytest.fixture
def ours(state_dir) -> Settings:
    """Terpadu's side: a separate state folder (inbox, checkpoint, warehouse) per test."""
    return get_settings()


def source_file(served: Settings):
    return served.inbox_dir / "dukcapil" / f"DKB_{REGION.replace('.', '')}_{PERIOD}.csv"


def frame(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def server(served, **kw):
    return serve_dukcapil(served, token=TOKEN, period=PERIOD, **kw)


def test_pulled_file_is_the_dkb_file_row_for_row(served, ours):
    want = frame(source_file(served))
    with server(served) as srv:
        report = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=97, progress=QUIET)
    got_path = ours.inbox_dir / "dukcapil" / f"DKB_8171_{PERIOD}.csv"
    assert report["file"] == str(got_path)
    got = frame(got_path)
    assert list(got.columns) == COLUMNS  # contract columns, contract order
    pd.testing.assert_frame_equal(got, want)  # every row once, in order, values as text
    # byte for byte what a file drop looks like (quoting, CRLF), so landing's sha256 dedup can work
    assert got_path.read_bytes() == source_file(served).read_bytes()
    assert report["rows"] == len(want) and report["pages"] == math.ceil(len(want) / 97)
    assert report["pages_fetched"] == report["pages"] and report["pages_resumed"] == 0 and report["retries"] == 0
    assert sorted(p.name for p in got_path.parent.iterdir()) == [got_path.name]  # no temp file left
    state = read_state(ours, REGION, PERIOD)
    assert state["completed_at"] and state["total"] == len(want)
    assert not list(pull_dir(ours, REGION, PERIOD).glob("page-*"))  # parts removed once assembled


def test_completes_through_injected_503s(served, ours):
    with server(served, fail_rate=0.25, fail_pages=[2, 5], seed=11) as srv:
        report = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=200, progress=QUIET,
                               policy=replace(FAST, max_attempts=10))
    assert report["retries"] >= 2  # at least pages 2 and 5 failed once
    assert report["requests"] == report["pages"] + report["retries"]
    assert open(report["file"], "rb").read() == source_file(served).read_bytes()


def test_waits_out_429_retry_after(served, ours):
    # 1 request/s, burst 2, 3+ pages: the third request comes too soon, gets 429 and must sleep Retry-After
    with server(served, rate_limit=1, burst=2) as srv:
        report = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=800, progress=QUIET,
                               policy=FAST)
    assert report["pages"] >= 3
    assert report["rate_limited"] >= 1 and report["retries"] == 0
    assert open(report["file"], "rb").read() == source_file(served).read_bytes()


def test_wrong_token_fails_clearly_and_writes_nothing(served, ours):
    with server(served) as srv, pytest.raises(TokenRejected) as error:
        pull_dukcapil(REGION, ours, base_url=srv.url, token="salah", progress=QUIET, policy=FAST)
    assert "token rejected: check the Airflow connection terpadu_dukcapil" in str(error.value)
    assert not (ours.inbox_dir / "dukcapil").exists() or not any((ours.inbox_dir / "dukcapil").iterdir())


def test_unreachable_host_is_a_clear_error(ours):
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ServiceUnavailable, match=r"cannot reach the Dukcapil service at http://127.0.0.1:\d+.*3 "
                       r"attempts.*ConnectionError"):
        pull_dukcapil(REGION, ours, base_url=f"http://127.0.0.1:{port}", token=TOKEN, progress=QUIET,
                      policy=replace(FAST, max_attempts=3))


def test_schema_drift_names_the_missing_field_and_writes_nothing(served, ours):
    with server(served) as srv:
        # the service drops NO_KK from its JSON (an API change on the agency's side)
        srv.data.columns = [col for col in COLUMNS if col != "NO_KK"]
        with pytest.raises(SchemaDrift, match=r"page 1, row 1 lacks the contract field\(s\) NO_KK"):
            pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=100, progress=QUIET, policy=FAST)
    assert not (ours.inbox_dir / "dukcapil").exists() or not any((ours.inbox_dir / "dukcapil").iterdir())
    assert read_state(ours, REGION, PERIOD) is None  # no checkpoint of drifted data to resume from


def test_changed_total_on_resume_restarts_cleanly(served, ours):
    with server(served, fail_pages=[4]) as srv:
        # one attempt per page: page 4's 503 stops the pull after 3 checkpointed pages
        with pytest.raises(ServiceUnavailable):
            pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=300, progress=QUIET,
                          policy=replace(FAST, max_attempts=1))
        assert read_state(ours, REGION, PERIOD)["pages_done"] == 3
        # Dukcapil updates the kab/kota before the rerun: 7 fewer people
        table = srv.data.table(REGION)
        srv.data._tables[REGION] = table.slice(0, table.num_rows - 7)
        report = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=300, progress=QUIET,
                               policy=FAST)
    assert len(report["restarts"]) == 1 and "now reports" in report["restarts"][0]
    assert report["pages_resumed"] == 0 and report["pages_fetched"] == report["pages"]
    pd.testing.assert_frame_equal(frame(report["file"]), frame(source_file(served)).iloc[:-7])


_CHILD = textwrap.dedent("""
    import sys
    from terpadu.ingest.dukcapil_pull import RetryPolicy, pull_dukcapil
    from terpadu.settings import get_settings
    pull_dukcapil(sys.argv[1], get_settings(), base_url=sys.argv[2], token=sys.argv[3], page_size=100,
                  progress=None, policy=RetryPolicy(backoff_base=0.01, backoff_max=0.05))
""")


def test_process_killed_mid_pull_resumes_from_checkpoint(served, ours):
    pages_requested: list[int] = []

    class PageLog(logging.Handler):  # the service's access log: which pages were asked for
        def emit(self, record):
            if match := re.search(r"GET /api/v1/penduduk\?\S*page=(\d+)", record.getMessage()):
                pages_requested.append(int(match[1]))

    service_log = logging.getLogger("terpadu.simulate.dukcapil_service")
    with server(served, latency_ms=60) as srv:
        child = subprocess.Popen([sys.executable, "-c", _CHILD, REGION, srv.url, TOKEN], env=os.environ.copy())
        try:
            deadline = time.monotonic() + 120
            while (state := read_state(ours, REGION, PERIOD)) is None or state["pages_done"] < 5:
                assert child.poll() is None, "the pull finished or died before it could be killed"
                assert time.monotonic() < deadline, "no checkpoint progress"
                time.sleep(0.02)
            child.send_signal(signal.SIGKILL)  # no cleanup, no atexit: a crashed worker
        finally:
            child.wait()
        assert child.returncode == -signal.SIGKILL
        done = read_state(ours, REGION, PERIOD)["pages_done"]
        total_pages = read_state(ours, REGION, PERIOD)["total_pages"]
        assert 5 <= done < total_pages
        assert not (ours.inbox_dir / "dukcapil" / f"DKB_8171_{PERIOD}.csv").exists()  # nothing half-delivered
        srv.config.latency_ms = 0
        old_level = service_log.level
        handler = PageLog(level=logging.DEBUG)
        service_log.addHandler(handler)
        service_log.setLevel(logging.DEBUG)
        try:
            report = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, page_size=100, progress=QUIET,
                                   policy=FAST)
        finally:
            service_log.removeHandler(handler)
            service_log.setLevel(old_level)
    assert report["pages_resumed"] == done and report["pages_fetched"] == total_pages - done
    assert report["requests"] == total_pages - done  # nothing re-downloaded
    # the server saw only the remaining pages (the killed child's in-flight request was for done + 1)
    assert set(pages_requested) == set(range(done + 1, total_pages + 1))
    assert open(report["file"], "rb").read() == source_file(served).read_bytes()


def test_identical_pull_is_a_duplicate_and_a_changed_one_supersedes(served, ours):
    with server(served) as srv:
        first = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, progress=QUIET)
        [accepted] = ingest_source("dukcapil", ours, progress=None)
        assert accepted["outcome"] == "accepted" and accepted["rows_loaded"] == first["rows"]
        second = pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, progress=QUIET)
        assert second["sha256"] == first["sha256"] and second["pages_resumed"] == 0  # a fresh pull, same bytes
        [again] = ingest_source("dukcapil", ours, progress=None)
        assert again["outcome"] == "duplicate" and again["rows_loaded"] == 0
        table = srv.data.table(REGION)
        srv.data._tables[REGION] = table.slice(0, table.num_rows - 1)  # one person fewer
        pull_dukcapil(REGION, ours, base_url=srv.url, token=TOKEN, progress=QUIET)
        [changed] = ingest_source("dukcapil", ours, progress=None)
    assert changed["outcome"] == "accepted" and changed["rows_loaded"] == first["rows"] - 1
    from terpadu.warehouse import connect

    with connect(read_only=True) as con:
        log = con.execute("select delivery_id, is_current, superseded_by from raw.delivery_log "
                          "where source = 'dukcapil' and outcome <> 'duplicate' order by loaded_at").fetchall()
    assert (accepted["delivery_id"], False, changed["delivery_id"]) in log
    assert (changed["delivery_id"], True, None) in log


def test_endpoint_from_airflow_connection(monkeypatch, capsys):
    env = f"AIRFLOW_CONN_{CONN_ID.upper()}"
    monkeypatch.delenv(env, raising=False)
    assert endpoint_from_connection() is None
    assert airflow_pull_regions() == []
    assert "file drop mode" in capsys.readouterr().out
    monkeypatch.setenv(env, json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": 8765,
                                        "password": "rahasia-token", "extra": {"page_size": 2000}}))
    endpoint = endpoint_from_connection()
    assert (endpoint.base_url, endpoint.token, endpoint.page_size) == ("http://127.0.0.1:8765", "rahasia-token", 2000)
    assert len(airflow_pull_regions()) == 41  # the pilot regions
    monkeypatch.setenv(env, "https://:rahasia-token@dukcapil.example:8443/gateway")  # URI form: path = schema
    assert endpoint_from_connection().base_url == "https://dukcapil.example:8443/gateway"

"""Pull one kab/kota's DKB rows from the Dukcapil web service into the inbox, as the contract's file.

    pull_dukcapil(region_code, settings, *, base_url, token, page_size=1000, period=None,
                  progress=print, policy=None) -> dict

The pull only *produces a delivery*: it writes `<inbox>/dukcapil/DKB_<kab>_<period>.csv` (exact
contract columns and order, CRLF, csv QUOTE_MINIMAL — byte for byte what a file drop looks like), and
the ordinary scan → land → load path takes it from there. So a pull of unchanged data lands as a
`duplicate`, a changed one supersedes, bad rows are quarantined, all without pull-specific code.

Surviving a real government API:
- 5xx, timeouts and connection errors are retried with exponential backoff and jitter, a bounded
  number of times per page (`RetryPolicy`); 401 and other 4xx are not retried (retrying cannot fix them).
- 429 sleeps the server's `Retry-After`; `RetryPolicy.max_rps` also paces requests client-side.
- Every completed page is checkpointed under `<state>/pull/dukcapil/<region>/<period>/`: the page's
  CSV rows (`page-000001.csv`, written to a temp name and renamed) and then `state.json` (same way).
  A crashed or killed pull started again continues after the last checkpointed page, after checking
  that the service still reports the same `total` (else Dukcapil changed the data in between and the
  pull restarts from page 1, saying why — mixing two snapshots would duplicate or drop people).
- The inbox file is assembled under a name the inbox scan ignores (`.DKB_….csv.partial`) and renamed
  when complete, so a half-written delivery is never ingested. JSON that does not carry the contract's
  fields fails the pull with the missing names; no file is written.

Endpoint: inside Airflow from the connection `terpadu_dukcapil` (`endpoint_from_connection`), on the
command line from TERPADU_DUKCAPIL_URL / TERPADU_DUKCAPIL_TOKEN (`endpoint_from_env`).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import operator
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from terpadu.settings import Settings
from terpadu.sources import contracts as c

CONN_ID = "terpadu_dukcapil"
URL_ENV = "TERPADU_DUKCAPIL_URL"
TOKEN_ENV = "TERPADU_DUKCAPIL_TOKEN"
ENDPOINT = "/api/v1/penduduk"
ENTITY = c.DUKCAPIL.entity("persons")  # the DKB file; PADAN_ (nik_verifications) is file drop only
COLUMNS: list[str] = list(ENTITY.column_names)
STATE_VERSION = 1


class PullError(Exception):
    """The pull cannot complete; the message says what to do. Nothing is written to the inbox."""


class TokenRejected(PullError):
    pass


class ServiceUnavailable(PullError):
    """Unreachable, or still failing after the bounded retries (the checkpoint is kept: rerun resumes)."""


class SchemaDrift(PullError):
    """The JSON no longer carries what the contract says (the checkpoint is discarded)."""


class PullBusy(PullError):
    pass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6  # per page, for 5xx / timeouts / connection errors
    backoff_base: float = 0.5  # seconds; attempt n waits ~base * 2**(n-1), jittered, capped at backoff_max
    backoff_max: float = 30.0
    max_rate_limited: int = 50  # 429 answers tolerated per page before giving up
    max_retry_after: float = 300.0  # a 429 asking for a longer wait fails the pull instead of hanging
    max_rps: float | None = None  # client-side pacing, requests per second (None = no pacing)
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_restarts: int = 2  # restarts from page 1 because `total` changed, per pull

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """'Equal jitter': half the exponential step fixed, half random, so clients do not retry in step."""
        step = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return step / 2 + rng.uniform(0, step / 2)


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    token: str
    origin: str  # where it came from, for logs ("connection terpadu_dukcapil", "environment")
    page_size: int | None = None
    max_rps: float | None = None
    refresh_hours: float | None = None


# --- where the endpoint comes from ----------------------------------------------------------------


def endpoint_from_connection(conn_id: str = CONN_ID) -> Endpoint | None:
    """The Airflow connection as an Endpoint, or None when it is not configured (file drop mode).

    host/port/schema → base URL. `schema` is read both ways Airflow users write it: the HttpHook
    convention (`http`/`https` = the URL scheme) or, from a URI such as
    `http://:TOKEN@dukcapil.example:443/base`, a base path. password → token. Optional extras:
    `page_size`, `max_rps`, `refresh_hours`."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
    if not conn.host:
        raise PullError(f"the Airflow connection {conn_id} has no host: set host (and port) of the Dukcapil service")
    schema = (conn.schema or "").strip("/")
    if "://" in conn.host:
        base = conn.host.rstrip("/")
    else:
        scheme = schema if schema in ("http", "https") else (conn.conn_type if conn.conn_type in ("http", "https")
                                                              else "http")
        base = f"{scheme}://{conn.host}" + (f":{conn.port}" if conn.port else "")
    if schema and schema not in ("http", "https"):
        base += f"/{schema}"
    token = conn.password or ""
    if not token:
        raise TokenRejected(f"the Airflow connection {conn_id} has no password: put the Dukcapil bearer token there")
    extra = conn.extra_dejson or {}
    return Endpoint(base, token, f"connection {conn_id}",
                    page_size=int(extra["page_size"]) if extra.get("page_size") else None,
                    max_rps=float(extra["max_rps"]) if extra.get("max_rps") else None,
                    refresh_hours=float(extra["refresh_hours"]) if extra.get("refresh_hours") is not None else None)


def endpoint_from_env(url: str | None = None, token: str | None = None) -> Endpoint | None:
    """Explicit arguments first, then TERPADU_DUKCAPIL_URL / TERPADU_DUKCAPIL_TOKEN; None without a URL."""
    url = url or os.environ.get(URL_ENV)
    token = token or os.environ.get(TOKEN_ENV)
    if not url:
        return None
    if not token:
        raise TokenRejected(f"no Dukcapil token: pass --token or set {TOKEN_ENV}")
    return Endpoint(url.rstrip("/"), token, "arguments/environment")


# --- checkpoint -------------------------------------------------------------------------------------


def pull_dir(settings: Settings, region_code: str, period: str) -> Path:
    return settings.state_dir / "pull" / "dukcapil" / region_code / period


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _write_atomic(path: Path, data: bytes) -> None:
    """Temp file + fsync + rename: after a crash the file is either the old or the new one, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_state(settings: Settings, region_code: str, period: str) -> dict | None:
    return read_state_at(pull_dir(settings, region_code, period))


def _part(folder: Path, page: int) -> Path:
    return folder / f"page-{page:06d}.csv"


def _reset(folder: Path) -> None:
    for path in folder.glob("page-*"):
        path.unlink()
    (folder / "state.json").unlink(missing_ok=True)


@contextlib.contextmanager
def _lock(folder: Path, region_code: str):
    """One pull per region and period at a time (a DAG retry and a CLI run must not interleave pages)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PullBusy(f"{region_code}: another Dukcapil pull of this kab/kota and period is running "
                           f"(lock {folder / '.lock'})") from None
        yield


# --- HTTP -------------------------------------------------------------------------------------------


class _Client:
    """One requests Session with bounded retries, backoff + jitter, Retry-After and client pacing."""

    def __init__(self, base_url: str, token: str, policy: RetryPolicy, progress):
        self.url = base_url.rstrip("/") + ENDPOINT
        self.policy = policy
        self.progress = progress
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json",
                                     "User-Agent": "terpadu-dukcapil-pull/1"})
        self.rng = random.Random()
        self.last_request = 0.0
        self.requests = self.retries = self.rate_limited = 0

    def close(self) -> None:
        self.session.close()

    def _pace(self) -> None:
        if self.policy.max_rps:
            wait = self.last_request + 1.0 / self.policy.max_rps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.last_request = time.monotonic()

    def get_page(self, kode_kab: str, page: int, page_size: int) -> dict:
        params = {"kode_kab": kode_kab, "page": page, "page_size": page_size}
        failures = limited = 0
        while True:
            self._pace()
            self.requests += 1
            try:
                resp = self.session.get(self.url, params=params,
                                        timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except (requests.ConnectionError, requests.Timeout) as error:
                failures += 1
                if failures >= self.policy.max_attempts:
                    raise ServiceUnavailable(
                        f"{kode_kab}: cannot reach the Dukcapil service at {self.url} (page {page}, "
                        f"{failures} attempts): {type(error).__name__}: {error}") from None
                self._retry_sleep(failures, None, f"{type(error).__name__}", page)
                continue
            if resp.status_code == 200:
                try:
                    return resp.json()
                except ValueError:
                    raise SchemaDrift(f"{kode_kab}: page {page} is not JSON "
                                      f"(Content-Type {resp.headers.get('Content-Type')!r})") from None
            if resp.status_code == 401:
                raise TokenRejected(f"{kode_kab}: token rejected: check the Airflow connection {CONN_ID} "
                                    f"(or {TOKEN_ENV} for the command line); 401 from {self.url}")
            if resp.status_code == 429:
                limited += 1
                self.rate_limited += 1
                wait = _retry_after(resp) or 1.0
                if limited > self.policy.max_rate_limited or wait > self.policy.max_retry_after:
                    raise ServiceUnavailable(f"{kode_kab}: rate limited {limited} times on page {page} "
                                             f"(Retry-After {wait:g} s); lower max_rps or retry later")
                time.sleep(wait)
                continue
            if resp.status_code >= 500:
                failures += 1
                if failures >= self.policy.max_attempts:
                    raise ServiceUnavailable(f"{kode_kab}: the Dukcapil service answered {resp.status_code} "
                                             f"{failures} times for page {page}: {_message(resp)}")
                self._retry_sleep(failures, _retry_after(resp), f"HTTP {resp.status_code}", page)
                continue
            # 400, 403, 404…: the request itself is wrong; retrying will not help.
            raise PullError(f"{kode_kab}: the Dukcapil service refused page {page} with {resp.status_code}: "
                            f"{_message(resp)}")

    def _retry_sleep(self, attempt: int, retry_after: float | None, why: str, page: int) -> None:
        self.retries += 1
        delay = self.policy.backoff(attempt, self.rng)
        if retry_after:  # honour the server's hint, within our own cap
            delay = max(delay, min(retry_after, self.policy.backoff_max))
        time.sleep(delay)


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _message(resp: requests.Response) -> str:
    try:
        body = resp.json()
        return str(body.get("message") or body.get("error") or body)
    except ValueError:
        return resp.text[:200]


# --- page → CSV rows ------------------------------------------------------------------------------


def _check_page(kode_kab: str, body: dict, page: int, page_size: int) -> tuple[int, int, list]:
    """total, total_pages and rows of one page, or SchemaDrift saying exactly what is missing."""
    if not isinstance(body, dict):
        raise SchemaDrift(f"{kode_kab}: page {page} is not a JSON object")
    missing = [k for k in ("data", "total", "total_pages") if k not in body]
    if missing:
        raise SchemaDrift(f"{kode_kab}: page {page} lacks {', '.join(missing)} in the JSON envelope; "
                          "the Dukcapil API changed — check its version before pulling again")
    total, total_pages, rows = body["total"], body["total_pages"], body["data"]
    if not isinstance(total, int) or not isinstance(total_pages, int) or not isinstance(rows, list):
        raise SchemaDrift(f"{kode_kab}: page {page}: total/total_pages must be numbers and data a list")
    expected = max(0, min(page_size, total - (page - 1) * page_size))
    if len(rows) != expected:
        raise SchemaDrift(f"{kode_kab}: page {page} holds {len(rows)} rows, expected {expected} "
                          f"(total {total}, page_size {page_size})")
    return total, total_pages, rows


def _rows_csv(kode_kab: str, rows: list, page: int, page_size: int) -> bytes:
    """The page's rows as contract CSV lines: csv QUOTE_MINIMAL with CRLF, like the file deliveries."""
    wanted = set(COLUMNS)
    pick = operator.itemgetter(*COLUMNS)
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not wanted <= row.keys():
            got = row.keys() if isinstance(row, dict) else ()
            missing = [col for col in COLUMNS if col not in got]
            raise SchemaDrift(f"{kode_kab}: page {page}, row {(page - 1) * page_size + i + 1} lacks the contract "
                              f"field(s) {', '.join(missing)}; the JSON no longer matches the DKB contract "
                              f"(docs/contracts/dukcapil.md) — nothing was written")
    values = [pick(row) for row in rows]
    # fast path: all text (the usual case); else look at each value for null (→ '') or a wrong type
    if not all(type(v) is str for t in values for v in t):
        first = (page - 1) * page_size + 1
        values = [tuple(_text(kode_kab, page, first + i, col, v) for col, v in zip(COLUMNS, t, strict=True))
                  for i, t in enumerate(values)]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=c.DUKCAPIL.delimiter, lineterminator="\r\n").writerows(values)
    return buffer.getvalue().encode("utf-8")


def _text(kode_kab: str, page: int, row_number: int, col: str, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        # a number would already have lost leading zeros (NO_KEC '04') or NIK digits
        raise SchemaDrift(f"{kode_kab}: page {page}, row {row_number}: {col} is {type(value).__name__} {value!r}, "
                          "the contract sends every field as text")
    return value


def _header() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=c.DUKCAPIL.delimiter, lineterminator="\r\n").writerow(COLUMNS)
    return buffer.getvalue().encode("utf-8")


def inbox_file(settings: Settings, region_code: str, period: str) -> Path:
    name = ENTITY.file_pattern.format(region=region_code.replace(".", ""), period=period)
    return settings.inbox_dir / "dukcapil" / name


# --- the pull ---------------------------------------------------------------------------------------


def pull_dukcapil(region_code: str, settings: Settings, *, base_url: str, token: str, page_size: int = 1000,
                  period: str | None = None, progress: Callable[[str], None] | None = print,
                  policy: RetryPolicy | None = None) -> dict:
    """Pull every page of one kab/kota (dotted code, '81.71') and write its DKB file into the inbox.

    Returns a JSON-serialisable report: file, rows, pages, pages fetched now / resumed from the
    checkpoint, retries, rate-limit waits, seconds, rows per second, restart reasons."""
    from terpadu.reference import regencies

    if region_code not in regencies():
        raise ValueError(f"{region_code!r} is not a Kemendagri kab/kota code (dotted, e.g. 81.71)")
    period = period or settings.period
    if len(period) != 6 or not period.isdigit():
        raise ValueError(f"period must be yyyymm, got {period!r}")
    policy = policy or RetryPolicy()
    say = progress or (lambda _msg: None)
    folder = pull_dir(settings, region_code, period)
    target = inbox_file(settings, region_code, period)
    t0 = time.perf_counter()
    with _lock(folder, region_code):
        client = _Client(base_url, token, policy, say)
        try:
            report = _pull_pages(client, region_code, period, page_size, folder, say, policy)
        except SchemaDrift:
            _reset(folder)  # a checkpoint of a drifted API is not worth resuming
            raise
        finally:
            client.close()
        state = report.pop("_state")
        sha, size = _assemble(folder, state["total_pages"], target)
        state.update(completed_at=_now(), sha256=sha, inbox_file=str(target))
        _write_atomic(folder / "state.json", json.dumps(state, indent=2).encode())
        for part in folder.glob("page-*.csv"):  # the inbox file now holds the rows
            part.unlink()
    seconds = time.perf_counter() - t0
    report.update(file=str(target), sha256=sha, size_bytes=size, requests=client.requests, retries=client.retries,
                  rate_limited=client.rate_limited, seconds=round(seconds, 3),
                  rows_per_s=round(report["rows"] / seconds, 1) if seconds > 0 else None)
    say(f"dukcapil pull {region_code}: {report['rows']} rows in {report['pages']} pages "
        f"({report['pages_fetched']} fetched, {report['pages_resumed']} from the checkpoint), "
        f"{client.retries} retries, {client.rate_limited} rate-limit waits → {target}")
    return report


def _pull_pages(client: _Client, region_code: str, period: str, page_size: int, folder: Path, say,
                policy: RetryPolicy) -> dict:
    restarts: list[str] = []
    state = read_state_at(folder)
    if state and state.get("completed_at"):
        state = None  # the previous pull finished: this is a fresh snapshot
    if state and (state.get("version") != STATE_VERSION or state.get("page_size") != page_size
                  or state.get("base_url") != client.url):
        restarts.append(f"checkpoint was taken with page_size {state.get('page_size')} at {state.get('base_url')}; "
                        f"now page_size {page_size} at {client.url}: starting from page 1")
        state = None
    if state and any(not _part(folder, p).exists() for p in range(1, state["pages_done"] + 1)):
        restarts.append("checkpoint is missing page files: starting from page 1")
        state = None
    if state is None:
        _reset(folder)
    resumed = state["pages_done"] if state else 0
    if resumed:
        say(f"dukcapil pull {region_code}: resuming after page {resumed} of {state['total_pages']} "
            f"(checkpoint from {state['updated_at']})")
    for msg in restarts:
        say(f"dukcapil pull {region_code}: {msg}")
    fetched = 0
    page = resumed + 1
    while True:
        body = client.get_page(region_code, page, page_size)
        total, total_pages, rows = _check_page(region_code, body, page, page_size)
        if state is not None and (total, total_pages) != (state["total"], state["total_pages"]):
            why = (f"the service now reports {total} rows, the checkpoint {state['total']} (Dukcapil updated "
                   f"the data during the pull): starting from page 1 so the file is one consistent snapshot")
            restarts.append(why)
            say(f"dukcapil pull {region_code}: {why}")
            if len(restarts) > policy.max_restarts:
                raise ServiceUnavailable(f"{region_code}: the row total kept changing during the pull "
                                         f"({len(restarts)} restarts); try again later")
            _reset(folder)
            state, resumed, page = None, 0, 1
            continue
        if total == 0:
            raise PullError(f"{region_code}: the Dukcapil service reports no rows for period {period}")
        if state is None:
            state = {"version": STATE_VERSION, "region_code": region_code, "period": period, "page_size": page_size,
                     "base_url": client.url, "total": total, "total_pages": total_pages, "pages_done": 0,
                     "started_at": _now(), "updated_at": _now()}
        if page <= total_pages:
            # page file first, state second: a crash in between only costs re-fetching this page
            _write_atomic(_part(folder, page), _rows_csv(region_code, rows, page, page_size))
            state.update(pages_done=page, updated_at=_now())
            _write_atomic(folder / "state.json", json.dumps(state, indent=2).encode())
            fetched += 1
        if page >= total_pages:
            break
        page += 1
    return {"region_code": region_code, "period": period, "rows": state["total"], "pages": state["total_pages"],
            "page_size": page_size, "pages_fetched": fetched, "pages_resumed": resumed, "restarts": restarts,
            "source_url": client.url, "_state": state}


def read_state_at(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "state.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _assemble(folder: Path, total_pages: int, target: Path) -> tuple[str, int]:
    """Header + page files → the inbox, under a name the scan ignores until the final rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial")  # leading '.' and '.partial': both skipped by scan_inbox
    digest = hashlib.sha256()
    size = 0
    with open(tmp, "wb") as out:
        for chunk in _chunks(folder, total_pages):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    return digest.hexdigest(), size


def _chunks(folder: Path, total_pages: int):
    yield _header()
    for page in range(1, total_pages + 1):
        with open(_part(folder, page), "rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk


def pulled_recently(settings: Settings, region_code: str, period: str, hours: float) -> str | None:
    """The completion time of this region's last finished pull when it is younger than `hours`, else None.

    The DKB is a monthly snapshot: the DAG scans every 15 minutes, but re-downloading a whole kab/kota
    each time would only produce duplicates and load the agency's service."""
    state = read_state(settings, region_code, period)
    if not state or not state.get("completed_at") or hours <= 0:
        return None
    done = datetime.fromisoformat(state["completed_at"])
    age = datetime.now(UTC).replace(tzinfo=None) - done
    return state["completed_at"] if age.total_seconds() < hours * 3600 else None


# --- the Airflow side (called by dags/ingest_dukcapil.py through the ingest DAG factory) -------------

DEFAULT_REFRESH_HOURS = 24.0  # a monthly snapshot: once a day is plenty (connection extra refresh_hours)


def airflow_pull_regions() -> list[str]:
    """The pilot regions to pull, or [] (file drop mode) when the connection is not configured."""
    from terpadu.reference import pilot_regions

    endpoint = endpoint_from_connection()
    if endpoint is None:
        print(f"[terpadu] dukcapil: no Airflow connection {CONN_ID}: file drop mode, only scanning the inbox "
              "for DKB files (configure the connection to pull from the Dukcapil web service)")
        return []
    codes = [region.code for region in pilot_regions()]
    print(f"[terpadu] dukcapil: pulling {len(codes)} pilot kab/kota from {endpoint.base_url} ({endpoint.origin})")
    return codes


def airflow_pull(region_code: str, settings: Settings, log: Callable[[str], None] = print) -> dict | None:
    """One region's pull inside a task; None = nothing to do (skip). Errors a retry cannot fix
    (token, schema drift, 4xx) fail the task without retries; unreachable/5xx keep the retries, which
    resume from the checkpoint."""
    from airflow.sdk.exceptions import AirflowFailException

    endpoint = endpoint_from_connection()
    if endpoint is None:
        log(f"[terpadu] dukcapil {region_code}: no connection {CONN_ID} any more: file drop mode")
        return None
    hours = DEFAULT_REFRESH_HOURS if endpoint.refresh_hours is None else endpoint.refresh_hours
    if done := pulled_recently(settings, region_code, settings.period, hours):
        log(f"[terpadu] dukcapil {region_code}: pulled for {settings.period} at {done} UTC, less than {hours:g} h "
            f"ago; not pulling again (connection extra refresh_hours)")
        return None
    policy = RetryPolicy(max_rps=endpoint.max_rps)
    try:
        return pull_dukcapil(region_code, settings, base_url=endpoint.base_url, token=endpoint.token,
                             page_size=endpoint.page_size or 1000, progress=log, policy=policy)
    except (ServiceUnavailable, PullBusy):
        raise
    except PullError as error:
        raise AirflowFailException(str(error)) from None


__all__ = ["CONN_ID", "Endpoint", "PullError", "RetryPolicy", "SchemaDrift", "ServiceUnavailable", "TokenRejected",
           "airflow_pull", "airflow_pull_regions", "endpoint_from_connection", "endpoint_from_env", "pull_dukcapil",
           "pulled_recently", "read_state"]

"""A simulated Dukcapil web service: the DKB rows of `<inbox>/dukcapil/DKB_<kab>_<period>.csv` as
paginated JSON over HTTP, with the behaviour a real government API has and a pull client must survive:
Bearer-token auth, a rate limit, latency and failures (random, or on chosen pages).

    GET /health                                                  no auth; what is served
    GET /api/v1/penduduk?kode_kab=81.71&page=1&page_size=500     Authorization: Bearer <token>
    → {"data": [{contract field: text, ...}], "page": 1, "page_size": 500, "total": N,
       "total_pages": M, "next_page": 2 | null}

Errors are JSON `{"error": code, "message": text}`: 400 bad parameters, 401 missing/wrong token
(with WWW-Authenticate), 404 unknown path or no rows for that kab/kota, 429 rate limited (with
Retry-After, whole seconds), 503 an injected failure (with Retry-After: 1).

It binds to a loopback address only: it serves NIK-level data, which under UU PDP may not leave the
machine of a test or a developer (a real Dukcapil link runs under a PKS, not through this).

Python: `serve_dukcapil(settings, port=0, token=...)` returns a `DukcapilServer`; `.start()` runs it
in a daemon thread, `.stop()` shuts it down (also a context manager); `.url` is its base URL.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pyarrow.csv as pacsv

from terpadu.settings import Settings
from terpadu.sources import contracts as c

log = logging.getLogger(__name__)

TOKEN_ENV = "TERPADU_DUKCAPIL_TOKEN"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000
_KODE_KAB = re.compile(r"[0-9]{2}\.[0-9]{2}")


class TokenBucket:
    """`rate` requests per second on average, bursts up to `burst`; thread-safe."""

    def __init__(self, rate: float, burst: float | None = None, clock=time.monotonic):
        if rate <= 0:
            raise ValueError("rate must be > 0 requests per second")
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(1.0, rate))
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0.0 when a request may go ahead (a token is spent), else the seconds until one is free."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate


class DukcapilData:
    """The DKB rows per kab/kota (dotted code), read from the inbox CSVs on first request."""

    def __init__(self, folder: Path, period: str):
        self.folder = Path(folder)
        self.period = period
        self.columns = c.DUKCAPIL.entity("persons").column_names
        pattern = c.DUKCAPIL.entity("persons").file_pattern
        self.files: dict[str, Path] = {}
        for path in sorted(self.folder.glob(pattern.format(region="*", period=period))):
            digits = path.name.split("_")[1]
            if digits.isdigit() and len(digits) == 4:
                self.files[f"{digits[:2]}.{digits[2:]}"] = path
        self._tables: dict[str, pa.Table] = {}
        self._lock = threading.Lock()

    def regions(self) -> list[str]:
        return sorted(self.files)

    def table(self, kode_kab: str) -> pa.Table | None:
        if kode_kab not in self.files:
            return None
        with self._lock:  # one reader per file, even when the first requests arrive together
            if kode_kab not in self._tables:
                self._tables[kode_kab] = pacsv.read_csv(
                    self.files[kode_kab],
                    parse_options=pacsv.ParseOptions(delimiter=c.DUKCAPIL.delimiter),
                    # every value as the text delivered: '' stays '', NIKs keep all 16 digits
                    convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in self.columns},
                                                         strings_can_be_null=False, include_columns=self.columns))
            return self._tables[kode_kab]


@dataclass
class ServiceConfig:
    token: str
    rate_limit: float | None = None  # requests/second; None = unlimited
    burst: float | None = None
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    fail_pages: frozenset[int] = frozenset()
    seed: int = 0
    max_page_size: int = MAX_PAGE_SIZE
    failed_once: set = field(default_factory=set)


class DukcapilServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, data: DukcapilData, config: ServiceConfig):
        self.data = data
        self.config = config
        self.bucket = TokenBucket(config.rate_limit, config.burst) if config.rate_limit else None
        self.rng = random.Random(config.seed)  # seeded: the same requests fail in the same order
        self.rng_lock = threading.Lock()
        self.requests = 0
        self._thread: threading.Thread | None = None
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DukcapilServer:
        self._thread = threading.Thread(target=self.serve_forever, name="dukcapil-service", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> DukcapilServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    def injected_failure(self, kode_kab: str, page: int) -> bool:
        cfg = self.config
        with self.rng_lock:
            if page in cfg.fail_pages and (kode_kab, page) not in cfg.failed_once:
                cfg.failed_once.add((kode_kab, page))  # once: the client's retry gets the page
                return True
            return cfg.fail_rate > 0 and self.rng.random() < cfg.fail_rate


class _Handler(BaseHTTPRequestHandler):
    server: DukcapilServer
    protocol_version = "HTTP/1.1"
    server_version = "TerpaduDukcapilSim/1.0"

    def log_message(self, fmt, *args) -> None:  # route access logs to logging, not stderr
        log.debug("%s %s", self.address_string(), fmt % args)

    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _error(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        self._send(status, {"error": code, "message": message}, headers)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        server = self.server
        server.requests += 1
        parts = urlsplit(self.path)
        if parts.path == "/health":
            self._send(200, {"status": "ok", "period": server.data.period, "regions": server.data.regions()})
            return
        if parts.path != "/api/v1/penduduk":
            self._error(404, "not_found", f"no such endpoint {parts.path}; use /api/v1/penduduk or /health")
            return
        auth = self.headers.get("Authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), server.config.token.encode()):
            self._error(401, "unauthorized", "missing or wrong bearer token",
                        {"WWW-Authenticate": 'Bearer realm="dukcapil"'})
            return
        if server.bucket is not None and (wait := server.bucket.take()) > 0:
            self._error(429, "rate_limited", f"more than {server.config.rate_limit:g} requests per second; "
                        f"retry after {wait:.3f} s", {"Retry-After": str(max(1, math.ceil(wait)))})
            return
        query = parse_qs(parts.query)
        try:
            kode_kab = query.get("kode_kab", [""])[0].strip()
            page = int(query.get("page", ["1"])[0])
            page_size = int(query.get("page_size", [str(DEFAULT_PAGE_SIZE)])[0])
        except ValueError:
            self._error(400, "bad_request", "page and page_size must be whole numbers")
            return
        if not _KODE_KAB.fullmatch(kode_kab):
            self._error(400, "bad_request", "kode_kab must be a dotted Kemendagri kab/kota code, e.g. 81.71")
            return
        if page < 1 or not 1 <= page_size <= server.config.max_page_size:
            self._error(400, "bad_request", f"page must be ≥ 1 and page_size 1–{server.config.max_page_size}")
            return
        if server.config.latency_ms > 0:
            time.sleep(server.config.latency_ms / 1000)
        if server.injected_failure(kode_kab, page):
            self._error(503, "unavailable", "service temporarily unavailable (simulated)", {"Retry-After": "1"})
            return
        table = server.data.table(kode_kab)
        if table is None:
            self._error(404, "not_found", f"no Dukcapil data for kode_kab {kode_kab} in period {server.data.period}")
            return
        total = table.num_rows
        total_pages = math.ceil(total / page_size)
        rows = table.slice((page - 1) * page_size, page_size).to_pylist() if page <= total_pages else []
        self._send(200, {"data": rows, "page": page, "page_size": page_size, "total": total,
                         "total_pages": total_pages, "next_page": page + 1 if page < total_pages else None})

    def _not_allowed(self) -> None:
        self._error(405, "method_not_allowed", "read-only service: use GET", {"Allow": "GET"})

    do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815


def _check_loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"the simulated Dukcapil service binds to loopback only (127.0.0.1), not {host!r}: "
                     "it serves NIK-level data")


def serve_dukcapil(settings: Settings, host: str = "127.0.0.1", port: int = 0, token: str | None = None, *,
                   period: str | None = None, rate_limit: float | None = None, burst: float | None = None,
                   latency_ms: float = 0.0, fail_rate: float = 0.0, fail_pages=(), seed: int = 0,
                   max_page_size: int = MAX_PAGE_SIZE) -> DukcapilServer:
    """A bound, not yet started server over `<inbox>/dukcapil/DKB_*_<period>.csv` (port 0 = any free port)."""
    import os

    token = token or os.environ.get(TOKEN_ENV)
    if not token:
        raise ValueError(f"a bearer token is required: pass --token or set {TOKEN_ENV}")
    if not 0.0 <= fail_rate <= 1.0:
        raise ValueError(f"fail_rate must be within [0, 1], got {fail_rate}")
    if rate_limit is not None and rate_limit <= 0:
        raise ValueError("rate_limit must be > 0 requests per second (or None for no limit)")
    data = DukcapilData(settings.inbox_dir / "dukcapil", period or settings.period)
    config = ServiceConfig(token=token, rate_limit=rate_limit, burst=burst, latency_ms=latency_ms,
                           fail_rate=fail_rate, fail_pages=frozenset(int(p) for p in fail_pages), seed=seed,
                           max_page_size=max_page_size)
    return DukcapilServer((_check_loopback(host), port), data, config)


__all__ = ["DukcapilData", "DukcapilServer", "TokenBucket", "serve_dukcapil"]

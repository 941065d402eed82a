"""`terpadu simulate [--persons N | --scale F] [--regions 81.71,35.10] [--seed S] [--period YYYYMM]
[--defect-rate name=value ...]`, and `terpadu simulate serve-dukcapil [--port P] [--token T] ...`
(a simulated Dukcapil web service over the DKB files in the inbox)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys

log = logging.getLogger(__name__)


def _regions(arg: str | None):
    from terpadu import reference

    if not arg:
        return None
    known = reference.regencies()
    regions = []
    for code in (x.strip() for x in arg.split(",") if x.strip()):
        if code not in known:
            raise ValueError(f"--regions: {code!r} is not a Kemendagri kab/kota code (dotted, e.g. 81.71)")
        regions.append(known[code])
    return regions


def _run(args: argparse.Namespace) -> int:
    from terpadu.settings import get_settings
    from terpadu.simulate import simulate

    settings = get_settings()
    regions = _regions(args.regions)
    scale = args.scale if args.scale is not None or args.persons is not None else 0.001
    summary = simulate(settings, regions=regions, persons=args.persons, scale=scale, seed=args.seed,
                       period=args.period, defects=args.defect_rate or None)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


def _fail_pages(text: str | None) -> list[int]:
    try:
        return [int(x) for x in (text or "").split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"--fail-pages expects page numbers like 3,7, got {text!r}") from None


def _serve(args: argparse.Namespace) -> int:
    from terpadu.settings import get_settings
    from terpadu.simulate import simulate
    from terpadu.simulate.dukcapil_service import TOKEN_ENV, serve_dukcapil

    settings = get_settings()
    period = args.period or settings.period
    if args.generate is not None:
        simulate(settings, regions=_regions(args.regions), persons=args.generate, seed=args.seed, period=period)
    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        token = secrets.token_urlsafe(24)
        print(f"serve-dukcapil: no --token or {TOKEN_ENV}; generated token: {token}", file=sys.stderr)
    server = serve_dukcapil(settings, args.host, args.port, token, period=period, rate_limit=args.rate_limit,
                            burst=args.burst, latency_ms=args.latency_ms, fail_rate=args.fail_rate,
                            fail_pages=_fail_pages(args.fail_pages), seed=args.seed)
    regions = server.data.regions()
    if not regions:
        server.server_close()
        raise FileNotFoundError(f"no DKB_*_{period}.csv in {settings.inbox_dir / 'dukcapil'}: run "
                                "`terpadu simulate` first or pass --generate N")
    print(f"serve-dukcapil: {server.url}/api/v1/penduduk?kode_kab={regions[0]}&page=1&page_size=500 "
          f"({len(regions)} kab/kota, period {period}); Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def register(subparsers) -> None:
    from terpadu.simulate.defects import DefectRates

    p = subparsers.add_parser("simulate", help="generate a synthetic population, the deliveries and the ground truth",
                              description=__doc__)
    size = p.add_mutually_exclusive_group()
    size.add_argument("--persons", type=int, help="total persons, split over regions by population")
    size.add_argument("--scale", type=float, help="fraction of each region's Dukcapil population (default 0.001)")
    p.add_argument("--regions", help="comma-separated kab/kota codes (default: the pilot regions)")
    p.add_argument("--seed", type=int, default=20261)
    p.add_argument("--period", help="yyyymm (default TERPADU_PERIOD)")
    p.add_argument("--defect-rate", action="append", metavar="NAME=VALUE",
                   help="override a planted-defect rate; names: " + ", ".join(DefectRates.names()))
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_run)

    # optional sub-command: `terpadu simulate` alone still generates
    sub = p.add_subparsers(dest="simulate_command", metavar="SUBCOMMAND")
    s = sub.add_parser("serve-dukcapil", help="serve the inbox's DKB rows as a paginated JSON web service",
                       description="Serve <inbox>/dukcapil/DKB_*_<period>.csv as GET /api/v1/penduduk?kode_kab="
                       "81.71&page=1&page_size=500 (Bearer token) and GET /health, on 127.0.0.1 only.")
    s.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="port (0 = any free port; default 8765)")
    s.add_argument("--token", help="bearer token clients must send (default: env TERPADU_DUKCAPIL_TOKEN, "
                   "else a generated one printed on stderr)")
    s.add_argument("--rate-limit", type=float, metavar="PER_SECOND", help="token-bucket limit, requests/s (429 "
                   "with Retry-After beyond it; default unlimited)")
    s.add_argument("--burst", type=float, help="token-bucket size (default max(1, rate))")
    s.add_argument("--latency-ms", type=float, default=0.0, help="added delay per API request")
    s.add_argument("--fail-rate", type=float, default=0.0, help="share of API requests answered 503 at random")
    s.add_argument("--fail-pages", metavar="N,N", help="pages answered 503 the first time each is asked (per kab/kota)")
    s.add_argument("--seed", type=int, default=20261, help="seed of the failure draws (and of --generate)")
    s.add_argument("--period", help="yyyymm of the DKB files (default TERPADU_PERIOD)")
    s.add_argument("--generate", type=int, metavar="PERSONS", help="run `terpadu simulate --persons N` first")
    s.add_argument("--regions", help="with --generate: comma-separated kab/kota codes (default: the pilots)")
    s.set_defaults(func=_serve)

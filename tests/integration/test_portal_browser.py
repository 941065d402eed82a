"""The portal in a real browser: Debian's chromium, headless, over HTTP from 127.0.0.1.

Builds a small release set (two published regions, one without data) in a tmp object store, serves
the store folder with http.server, and checks that the index renders every pilot region, that every
link on the index and on each region page resolves, and saves screenshots as test artefacts
(test-artifacts/ is git-ignored; CI keeps it).
"""

from __future__ import annotations

import functools
import struct
import subprocess
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
from terpadu import reference
from terpadu.publish import build_portal, publish_region
from terpadu.quality import validate_region

from tests.unit.test_publish_s3 import hrefs
from tests.unit.test_quality_fixtures import REGION_A, REGION_B, build_marts, make_settings, write_run

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
RUN = "20261001T000000Z"
PILOTS = (REGION_A, REGION_B, "35.73")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def served_portal(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, monkeypatch)
    write_run(settings, RUN, build_marts())
    for code in PILOTS:
        validate_region(RUN, code, settings)
        publish_region(RUN, code, settings)
    index = Path(build_portal(RUN, settings))
    root = index.parent.parent  # the object store folder: portal/ and releases/ side by side
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    if not CHROMIUM.exists():
        pytest.fail("headless Chromium is required for the portal test and CI installs it: "
                    "run `apt-get update && apt-get install -y chromium` (Debian's chromium package)")
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.glob('chromium-profile-*')))}"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_portal_renders_in_headless_chromium_and_every_link_resolves(served_portal, tmp_path):
    index_url = f"{served_portal}/portal/index.html"
    names = {code: reference.regencies()[code].name for code in PILOTS}

    # The DOM as Chromium built it lists every pilot region with a link to its page.
    dom = _chromium(tmp_path, "--dump-dom", index_url).stdout
    assert "Rilis data DTSEN per daerah percontohan" in dom
    for code, name in names.items():
        assert name in dom and code in dom and f'href="{code}.html"' in dom

    # Every link on the index and on each region page answers 200 from the server.
    checked = 0
    pages = [index_url] + [urljoin(index_url, f"{code}.html") for code in PILOTS]
    for page in pages:
        status, body = _fetch(page)
        assert status == 200
        for href in hrefs(body.decode()):
            target = urljoin(page, href)
            assert target.startswith(served_portal), f"{page} links outside the portal: {href}"
            assert _fetch(target)[0] == 200, target
            checked += 1
    assert checked >= len(PILOTS) + 2 * 5  # index → pages, and each published page → its files

    # Screenshots: the index on a desktop, a region's report on a phone-sized window.
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "portal.png"
    shot.unlink(missing_ok=True)
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,900", index_url)
    width, height = _png_size(shot)
    assert (width, height) == (1280, 900) and shot.stat().st_size > 10_000  # not a blank page

    phone = ARTIFACTS / "readiness-phone.png"
    phone.unlink(missing_ok=True)
    _chromium(tmp_path, f"--screenshot={phone}", "--window-size=390,1600",
              f"{served_portal}/releases/{REGION_A}/{RUN}/readiness.html")
    assert _png_size(phone)[0] == 390 and phone.stat().st_size > 10_000

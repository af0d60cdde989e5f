"""``audit.lighthouse.run``: the throttling method and the byte weight it returns."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assetpipe.audit import lighthouse, throttle
from assetpipe.errors import ExternalToolError
from tests.conftest import require_chromium

BLOB = os.urandom(200_000)  # does not compress: its transfer size is its size
PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weight</title>'
    b'<link rel="icon" href="data:,"></head><body><h1>Weight</h1>'
    b"<script>fetch('/blob.bin').then((r) => r.arrayBuffer());</script></body></html>"
)


def test_throttling_flags_per_method() -> None:
    """``devtools`` is the profile's exact values (what ``--lighthouse`` runs); ``simulate`` is
    Lighthouse's own settings for the profile's form factor; anything else is refused."""
    mobile, desktop = throttle.MOBILE, throttle.DESKTOP
    assert lighthouse.throttling_flags(mobile, "devtools") == mobile.lighthouse_flags()
    sim = lighthouse.throttling_flags(mobile, "simulate")
    assert "--throttling-method=simulate" in sim and "--form-factor=mobile" in sim
    assert not any(f.startswith("--throttling.") for f in sim)
    assert "--preset=desktop" in lighthouse.throttling_flags(desktop, "simulate")
    with pytest.raises(ValueError, match="expected one of devtools, simulate"):
        lighthouse.throttling_flags(mobile, "lantern")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body, kind = (
            (BLOB, "application/octet-stream") if self.path == "/blob.bin" else (PAGE, "text/html")
        )
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.lighthouse
@pytest.mark.chromium
@pytest.mark.timeout(300)
def test_simulated_run_returns_the_byte_weight(base: str) -> None:
    """One simulated (Lantern) run on a page that fetches 200 KB of noise: the result says its
    method, and its byte weight is the page's bytes on the wire (the blob, the HTML and the
    headers: within 3 KB above the blob)."""
    try:
        lighthouse.ensure_installed()
    except ExternalToolError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Lighthouse unavailable: {err}")
    from assetpipe.audit.browser import find_chromium

    require_chromium()
    got = lighthouse.run(base + "/", throttle.MOBILE, find_chromium(), method="simulate")
    assert got["method"] == "simulate" and got["version"] == lighthouse.VERSION
    weight = got["metrics"]["bytes"]
    assert len(BLOB) + len(PAGE) <= weight <= len(BLOB) + len(PAGE) + 3000, weight
    assert got["metrics"]["fcp"] > 0 and 0 <= got["scores"]["performance"] <= 1

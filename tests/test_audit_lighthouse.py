"""``audit.lighthouse.run``: the throttling method and the byte weight it returns."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assetpipe.audit import lighthouse, throttle
from tests.conftest import require_chromium, require_lighthouse

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
        body, kind = {
            "/blob.bin": (BLOB, "application/octet-stream"),
            "/stacks": (STACKS, "text/html"),
        }.get(self.path, (PAGE, "text/html"))
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
    require_lighthouse()
    from assetpipe.audit.browser import find_chromium

    require_chromium()
    got = lighthouse.run(base + "/", throttle.MOBILE, find_chromium(), method="simulate")
    assert got["method"] == "simulate" and got["version"] == lighthouse.VERSION
    weight = got["metrics"]["bytes"]
    assert len(BLOB) + len(PAGE) <= weight <= len(BLOB) + len(PAGE) + 3000, weight
    assert got["metrics"]["fcp"] > 0 and 0 <= got["scores"]["performance"] <= 1


#: A script of 400 small modules, every 20th throwing and catching an exception: with a CDP
#: client attached (Playwright's, Lighthouse's), V8 then computes each throw's location, which
#: rebuilds the source positions of the functions on the stack unless they were kept.
STACKS = (
    b"<!doctype html><html><head><title>Stacks</title></head><body><h1>Stacks</h1><script>"
    b"const mods = [];\n"
    + b"".join(
        b"mods.push(function m%d() { let s = 0; for (let k = 0; k < 50; k++) s += (k * %d) %% 7;"
        b" %s return s; });\n" % (i, i, b"try { null.x; } catch (e) {}" if i % 20 == 0 else b"")
        for i in range(400)
    )
    + b"(function run() { for (const m of mods) m(); })();</script></body></html>"
)


def _collect_source_positions(browser: Any, base: str) -> int:
    """How often V8 rebuilt source positions while ``STACKS`` loaded (traced)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        events: list[dict[str, Any]] = []
        done: list[bool] = []
        cdp.on("Tracing.dataCollected", lambda ev: events.extend(ev["value"]))
        cdp.on("Tracing.tracingComplete", lambda ev: done.append(True))
        cdp.send("Network.enable")
        cats = ["devtools.timeline", "disabled-by-default-devtools.timeline.stack"]
        cats.append("disabled-by-default-v8.compile")
        cdp.send("Tracing.start", {"traceConfig": {"includedCategories": cats}})
        page.goto(base + "/stacks", wait_until="load")
        page.wait_for_timeout(200)
        cdp.send("Tracing.end")
        while not done:
            page.wait_for_timeout(50)
    finally:
        context.close()
    return sum(e.get("name") == "V8.CollectSourcePositions" for e in events)


@pytest.mark.chromium
@pytest.mark.timeout(120)
def test_the_audit_browser_keeps_source_positions(base: str) -> None:
    """The audit launches Chromium with ``EAGER_SOURCE_POSITIONS``: on a page that throws and
    catches exceptions, V8 does not re-parse functions to rebuild their source positions (which
    it does in a plain launch: the cost that read Swagger UI's FCP a third later than
    Lighthouse)."""
    from playwright.sync_api import sync_playwright

    from assetpipe.audit.browser import launch
    from assetpipe.audit.runner import EAGER_SOURCE_POSITIONS

    require_chromium()
    with sync_playwright() as pw:
        plain = launch(pw)
        eager = launch(pw, args=(EAGER_SOURCE_POSITIONS,))
        try:
            assert _collect_source_positions(plain, base) > 0
            assert _collect_source_positions(eager, base) == 0
        finally:
            plain.close()
            eager.close()

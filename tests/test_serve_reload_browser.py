"""The injected live-reload client in real Chromium: a page served through
``AssetMiddleware(dev=True)`` connects its EventSource to ``reload_url``; a ``css`` event swaps
the stylesheet for a real rebuilt one, ``error`` shows the overlay (as text), ``ok`` hides it,
``reload`` reloads. The SSE endpoint here is a stand-in for ``assetpipe watch``'s, speaking the
protocol documented in ``assetpipe/serve/reload.py``."""

from __future__ import annotations

import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.serve import AssetMiddleware
from tests.test_serve_support import make_site, wsgi_server

pytestmark = pytest.mark.chromium


class Events:
    """A one-client SSE endpoint fed from a queue."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self.connected = threading.Event()
        self.stop = threading.Event()
        events = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(b": hello\n\n")
                self.wfile.flush()
                events.connected.set()
                while not events.stop.is_set():
                    try:
                        name, data = events.queue.get(timeout=0.05)
                    except queue.Empty:
                        continue
                    try:
                        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
                        self.wfile.flush()
                    except OSError:
                        return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/__assetpipe/events"

    def send(self, name: str, data: Any) -> None:
        self.queue.put((name, json.dumps(data)))

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def test_reload_client_protocol(tmp_path: Path, browser: Any) -> None:
    cfg = make_site(tmp_path)
    (tmp_path / "src/css/site.css").write_text("h1 { color: rgb(255, 0, 0); }\n")
    build(cfg)
    output = tmp_path / "dist"

    def css_url() -> str:
        manifest = json.loads((output / "manifest.json").read_text())
        return "/static/" + str(manifest["css/site.css"]["file"])

    first_css = css_url()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        html = (
            f'<!doctype html><html><head><link rel="stylesheet" href="{first_css}">'
            "</head><body><h1>Title</h1></body></html>"
        ).encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(html)))],
        )
        return [html]

    events = Events()
    try:
        mw = AssetMiddleware(app, output, dev=True, reload_url=events.url)
        with wsgi_server(mw) as port:
            page = browser.new_page()
            try:
                page.goto(f"http://127.0.0.1:{port}/")
                assert events.connected.wait(10)
                color = "getComputedStyle(document.querySelector('h1')).color"
                assert page.evaluate(color) == "rgb(255, 0, 0)"

                (tmp_path / "src/css/site.css").write_text("h1 { color: rgb(0, 0, 255); }\n")
                build(cfg)
                new_css = css_url()
                assert new_css != first_css
                events.send("css", {"old": first_css, "new": new_css, "integrity": None})
                page.wait_for_function(f"{color} === 'rgb(0, 0, 255)'", timeout=10_000)
                hrefs = page.eval_on_selector_all(
                    "link[rel=stylesheet]", "ls => ls.map(l => l.getAttribute('href'))"
                )
                page.wait_for_function(
                    "document.querySelectorAll('link[rel=stylesheet]').length === 1", timeout=10_000
                )
                assert new_css in hrefs

                events.send("error", {"message": "js/app.js:3:7: <b>Unexpected</b> token"})
                page.wait_for_selector("#assetpipe-error-overlay", timeout=10_000)
                text = page.inner_text("#assetpipe-error-overlay")
                assert "js/app.js:3:7: <b>Unexpected</b> token" in text  # text, not markup
                assert page.query_selector("#assetpipe-error-overlay b") is None
                events.send("ok", {})
                page.wait_for_selector("#assetpipe-error-overlay", state="detached", timeout=10_000)

                page.evaluate("window.__marker = 1")
                events.connected.clear()
                events.send("reload", {})
                page.wait_for_function("window.__marker === undefined", timeout=10_000)
                assert events.connected.wait(10)  # the reloaded page connects again
            finally:
                page.close()
    finally:
        events.close()


@pytest.mark.parametrize("where", ["header", "meta"])
def test_reload_client_runs_under_the_pages_csp(tmp_path: Path, browser: Any, where: str) -> None:
    """Whoogle sends ``default-src 'none'; script-src 'self'; connect-src 'self'`` on every page:
    the inline client was blocked (a CSP error in the console, no save reloaded the page). The
    policy now allows that one script (by its hash) and its stream's origin; the page's own
    inline script stays blocked. The same policy in a ``<meta http-equiv>`` of the page (no
    header) blocked it too, and is amended the same way."""
    cfg = make_site(tmp_path)
    build(cfg)
    policy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'"
    meta = (
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'.encode()
        if where == "meta"
        else b""
    )

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        html = (
            b"<!doctype html><html><head>" + meta + b"</head><body><h1>Title</h1>"
            b"<script>window.pageInline = 1;</script></body></html>"
        )
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(html)))]
        if where == "header":
            headers.append(("Content-Security-Policy", policy))
        start_response("200 OK", headers)
        return [html]

    events = Events()
    try:
        mw = AssetMiddleware(app, tmp_path / "dist", dev=True, reload_url=events.url)
        with wsgi_server(mw) as port:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            try:
                page.goto(f"http://127.0.0.1:{port}/")
                assert events.connected.wait(10), errors
                assert page.evaluate("window.__assetpipeReload") == 1
                assert page.evaluate("window.pageInline") is None  # still blocked
                page.evaluate("window.__marker = 1")
                events.connected.clear()
                # the policy forbids eval, which wait_for_function needs: the reload is awaited
                # as a navigation (the stream's reconnect alone could be the old page's, and an
                # evaluate then met the navigation: "Execution context was destroyed"), and the
                # reloaded page connects again, without the marker
                with page.expect_navigation():
                    events.send("reload", {})
                assert events.connected.wait(10)
                assert page.evaluate("() => window.__marker") is None
            finally:
                page.close()
    finally:
        events.close()

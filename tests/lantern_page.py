"""A crafted page for simulated-throttling tests, served over real HTTP on 127.0.0.1: a
render-blocking stylesheet and script, a large hero image (the LCP), a deferred script that
does a fixed amount of work, and an image it adds later. Each response waits ``DELAY_S``, so
the server has a measurable response time."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any, ClassVar

from PIL import Image

DELAY_S = 0.03
HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    '<title>Simulated</title><link rel="stylesheet" href="/site.css">'
    '<script src="/blocking.js"></script><script defer src="/app.js"></script></head><body>'
    '<h1>Simulated throttling</h1><img src="/hero.jpg" width="800" height="600" alt="hero">'
    + "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>" * 20
    + "</body></html>"
)
CSS = "body{margin:0;font:16px/1.5 sans-serif}img{max-width:100%;height:auto}" + (
    ".c{color:#333}" * 2000
)
BLOCKING_JS = "window.started = performance.now();" + "var x%d = %d;" * 0
#: Work that takes 300 ms of wall-clock time on any machine: a fixed amount of work ran under
#: 50 ms on a quiet machine (3e7 iterations), and 1.2e8 iterations (550 ms on a loaded one)
#: still ended before the simulated desktop FCP on a fast one, so its TBT was 0.
APP_JS = (
    "const t0 = performance.now(); let s = 0;"
    " while (performance.now() - t0 < 300) { s += 1; } window.sum = s;"
    "const img = new Image(); img.src = '/late.jpg'; img.width = 200; img.height = 150;"
    "document.body.append(img);"
)


def _jpeg(w: int, h: int, seed: int) -> bytes:
    img = Image.effect_noise((w, h), 60 + seed).convert("RGB")
    out = BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body, ctype = self.files.get(self.path.split("?")[0], (b"", ""))
        time.sleep(DELAY_S)
        self.send_response(200 if ctype else 404)
        self.send_header("Content-Type", ctype or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve() -> Iterator[str]:
    """Serve the page; yields its URL."""
    _Handler.files = {
        "/": (HTML.encode(), "text/html; charset=utf-8"),
        "/site.css": (CSS.encode(), "text/css"),
        "/blocking.js": ((BLOCKING_JS + "//" + "x" * 20000).encode(), "text/javascript"),
        "/app.js": (APP_JS.encode(), "text/javascript"),
        "/hero.jpg": (_jpeg(800, 600, 0), "image/jpeg"),
        "/late.jpg": (_jpeg(200, 150, 1), "image/jpeg"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def checksum() -> int:
    return zlib.crc32((HTML + CSS + APP_JS).encode())

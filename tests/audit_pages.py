"""Crafted pages for the audit's observation tests, served over real HTTP on 127.0.0.1.

Each page reproduces one case of the audit issue: layout shifts from a timer or after ``load``, a
long task after ``load``, a relayout of 20,000 boxes, an image that never finishes (so ``load``
never fires), a Web Worker, an EventSource and a 250 ms poll. ``python -m tests.audit_pages``
serves them until interrupted (used once to take Lighthouse 12's reference values).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any

from PIL import Image

TEXT = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6 + "</p>\n"
HEAD = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    "<title>{title}</title><style>body{{margin:0;font:16px/1.5 sans-serif}}"
    "{css}</style></head><body>\n"
)

#: A promise resolved once both ``load`` and the first contentful paint have happened (on a
#: throttled load the paint can come well after ``load``).
AFTER_LOAD_AND_PAINT = (
    "Promise.all([new Promise(r => addEventListener('load', r)),"
    " new Promise(r => new PerformanceObserver((l, o) => {"
    " if (l.getEntriesByName('first-contentful-paint').length) { o.disconnect(); r(); } })"
    ".observe({type: 'paint', buffered: true}))])"
)

PAGES: dict[str, tuple[str, str]] = {
    # An image without dimensions whose src is set 500 ms after the script runs: it shifts the
    # text below it when it arrives.
    "timer-shift": (
        "img{max-width:100%}",
        "<h1>Timer shift</h1><img id=late alt=''>"
        + TEXT * 8
        + "<script>setTimeout(() => { document.getElementById('late').src ="
        " '/img/600x400.png'; }, 500);</script>",
    ),
    # A 300 px banner inserted 1.5 s after load, above the content (after the first paint even
    # on a throttled mobile load, where `load` can come before it).
    "banner-after-load": (
        "#b{height:300px;background:#fc0}",
        "<h1>Banner</h1><div id=top></div>"
        + TEXT * 8
        + "<script>addEventListener('load', () => setTimeout(() => {"
        " const b = document.createElement('div'); b.id = 'b';"
        " b.textContent = 'Cookie banner';"
        " document.getElementById('top').append(b); }, 1500));</script>",
    ),
    # A 300 ms busy loop (wall time) 1 s after load.
    "late-long-task": (
        "",
        "<h1>Late task</h1>"
        + TEXT * 4
        + "<script>addEventListener('load', () => setTimeout(() => {"
        " const end = performance.now() + 300; while (performance.now() < end)"
        " {} }, 1000));</script>",
    ),
    # A fixed amount of script work (not a wall-clock loop: its cost is CPU time, so it
    # scales with the CPU slowdown) 500 ms after both load and the first contentful paint:
    # ~60 ms unthrottled on this machine. After the paint too: on a loaded host Chromium can
    # paint first more than 500 ms after load, and TBT counts from FCP only.
    "fixed-work": (
        "",
        "<h1>Fixed work</h1>"
        + TEXT * 4
        + "<script>"
        + AFTER_LOAD_AND_PAINT
        + ".then(() => setTimeout(() => { let x = 0;"
        " for (let i = 0; i < 12000000; i++) { x = (x * 31 + i) % 1000003; }"
        " window.fixedWork = x; }, 500));</script>",
    ),
    # 20,000 boxes whose width a class toggle changes 500 ms after load and the first
    # contentful paint: one style + layout task, no script time to speak of. After the paint
    # too: laying out 20,000 boxes under a throttled mobile load on a loaded host can paint
    # first more than 500 ms after load, and a toggle before the first paint shifts nothing.
    "relayout": (
        ".box{display:inline-block;width:20px;height:8px;margin:1px;background:#9cf}"
        ".wide .box{width:23px;padding:1px}",
        "<h1>Relayout</h1>" + TEXT + "<div id=boxes></div><script>"
        "const f = document.createDocumentFragment();"
        "for (let i = 0; i < 20000; i++) { const d = document.createElement('div');"
        " d.className = 'box'; f.append(d); }"
        "document.getElementById('boxes').append(f);"
        + AFTER_LOAD_AND_PAINT
        + ".then(() => setTimeout(() => document.body.classList.add('wide'), 500));</script>",
    ),
    # One image whose response never finishes: `load` never fires.
    "never-loads": (
        "",
        "<h1>Never loads</h1>"
        + TEXT * 3
        + '<img src="/hang.png" alt="never" width="200" height="100">',
    ),
    # A dedicated worker that keeps running.
    "worker": (
        "",
        "<h1>Worker</h1>" + TEXT * 3 + "<script>window.w = new Worker('/worker.js');</script>",
    ),
    # An EventSource that stays open and receives an event every 400 ms.
    "eventsource": (
        "",
        "<h1>EventSource</h1>" + TEXT * 3 + "<p id=n>0</p>"
        "<script>const es = new EventSource('/events'); let n = 0;"
        " es.onmessage = () => { document.getElementById('n').textContent = ++n; };"
        "</script>",
    ),
    # A fetch every 250 ms, forever.
    "poll": (
        "",
        "<h1>Poll</h1>" + TEXT * 3 + "<p id=n>0</p>"
        "<script>let n = 0; setInterval(() => fetch('/poll?t=' + Date.now())"
        ".then(r => r.json()).then(j => { document.getElementById('n').textContent ="
        " ++n; }), 250);</script>",
    ),
    # Nothing special: settles right after load.
    "plain": ("", "<h1>Plain</h1>" + TEXT * 3),
}

WORKER_JS = b"let n = 0; setInterval(() => { n++; postMessage(n); }, 500);\n"


def png(width: int, height: int) -> bytes:
    """A real PNG of the given size (a gradient, so it is not trivially small)."""
    img = Image.new("RGB", (width, height))
    img.putdata(
        [
            ((x * 255) // width, (y * 255) // height, 128)
            for y in range(height)
            for x in range(width)
        ]
    )
    out = BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, body: bytes, ctype: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        stop = self.server.stop
        try:
            if path.strip("/") in PAGES:
                self._send(page_html(path.strip("/")).encode(), "text/html; charset=utf-8")
            elif path.startswith("/img/") and path.endswith(".png"):
                w, h = (int(x) for x in path[5:-4].split("x"))
                self._send(self.server.image(w, h), "image/png")
            elif path == "/worker.js":
                self._send(WORKER_JS, "text/javascript")
            elif path == "/varying-work":
                self._send(self.server.varying_work(self.path).encode(), "text/html; charset=utf-8")
            elif path == "/poll":
                self._send(b'{"ok": true}', "application/json")
            elif path == "/hang.png":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(png(4, 4)[:40])
                self.wfile.flush()
                stop.wait(600)
            elif path == "/events":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                n = 0
                while not stop.wait(0.4):
                    n += 1
                    self.wfile.write(f"data: {n}\n\n".encode())
                    self.wfile.flush()
            else:
                self._send(b"not found", "text/plain", 404)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stop = threading.Event()
        self._images: dict[tuple[int, int], bytes] = {}
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def varying_work(self, url: str) -> str:
        """A page whose script work after load depends on how often this exact URL was asked
        for: six times as much on the first request as on any later one (a load whose CPU
        time the host inflated, made on purpose)."""
        with self._lock:
            n = self._seen[url] = self._seen.get(url, 0) + 1
        loops = 36_000_000 if n == 1 else 6_000_000
        return HEAD.format(title="varying work", css="") + (
            "<h1>Varying work</h1>" + TEXT * 2 + "<script>addEventListener('load', () =>"
            " setTimeout(() => { let x = 0;"
            f" for (let i = 0; i < {loops}; i++) {{ x = (x * 31 + i) % 1000003; }}"
            " window.work = x; }, 500));</script>\n</body></html>\n"
        )

    def image(self, w: int, h: int) -> bytes:
        if (w, h) not in self._images:
            self._images[w, h] = png(w, h)
        return self._images[w, h]


def page_html(name: str) -> str:
    css, body = PAGES[name]
    return HEAD.format(title=name, css=css) + body + "\n</body></html>\n"


@contextmanager
def serve_pages() -> Iterator[str]:
    """Serve the crafted pages on 127.0.0.1 (a free port); yields the base URL."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


@contextmanager
def pages_in_chromium() -> Iterator[tuple[Any, str]]:
    """The pages served (``serve_pages``) and a Chromium launched as the audit launches it:
    yields ``(browser, base_url)``; skips the test without a Chromium."""
    from playwright.sync_api import sync_playwright

    from assetpipe.audit.browser import launch
    from tests.conftest import require_chromium

    require_chromium()
    with serve_pages() as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser, base
        finally:
            browser.close()


def checksum() -> int:
    """A checksum of every crafted page (the reference values below belong to these bytes)."""
    return zlib.crc32("".join(page_html(n) for n in sorted(PAGES)).encode() + WORKER_JS)


if __name__ == "__main__":
    with serve_pages() as base:
        print(base, flush=True)
        while True:
            time.sleep(3600)

"""Support for the serving tests (no tests here): real servers on 127.0.0.1:0 in a thread —
wsgiref for WSGI apps, uvicorn for ASGI apps — and a raw-socket HTTP/1.1 client that sends
exactly the bytes a test asks for (http.client refuses the hostile paths we need to send)."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import brotli
import uvicorn
import zstandard

from tests.conftest import write_tree


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    raw: bytes


def request(
    port: int,
    path: bytes | str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Response:
    """One request on a fresh connection (``Connection: close``); returns the parsed reply."""
    target = path.encode("latin-1") if isinstance(path, str) else path
    lines = [
        method.encode() + b" " + target + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Connection: close",
    ]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}".encode("latin-1"))
    data = b"\r\n".join(lines) + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        parsed[key] = f"{parsed[key]}, {value.strip()}" if key in parsed else value.strip()
    if parsed.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Response(int(status_line.split()[1]), parsed, body, raw)


def wsgi_get(app: Any, path: str) -> tuple[str, dict[str, str], bytes]:
    """One GET of ``path`` through the WSGI ``app`` in-process, no socket: its status line,
    headers and body (the response closed)."""
    got: list[tuple[str, list[tuple[str, str]]]] = []
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    response = app(environ, lambda s, h, e=None: got.append((s, h)))
    try:
        body = b"".join(response)
    finally:
        if hasattr(response, "close"):
            response.close()
    return got[0][0], dict(got[0][1]), body


def decode(r: Response) -> bytes:
    """A response body decoded per its Content-Encoding (br, gzip or zstd; none: as is)."""
    enc = r.headers.get("content-encoding")
    if enc == "br":
        return bytes(brotli.decompress(r.body))
    if enc == "gzip":
        return gzip.decompress(r.body)
    if enc == "zstd":  # a stream: frames may carry no content size
        return bytes(zstandard.ZstdDecompressor().decompressobj().decompress(r.body))
    assert enc is None, enc
    return r.body


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(WSGIServer):
    daemon_threads = True


@contextlib.contextmanager
def wsgi_server(app: Any) -> Iterator[int]:
    """wsgiref on 127.0.0.1:0 in a thread; yields the port."""
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@contextlib.contextmanager
def asgi_server(app: Any, **options: Any) -> Iterator[int]:
    """uvicorn on 127.0.0.1:0 in a thread (``options``: more ``uvicorn.Config`` settings, such
    as ``root_path``); yields the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


SECRET = b"TOP-SECRET-OUTSIDE-THE-ROOT"


def make_site(root: Path, *, zstd: bool = True) -> Path:
    """A tiny real site: JS, CSS, SVG, JSON, a keep_names file, a font; returns pipeline.yaml."""
    js = (
        "export function greet(name) {\n"
        + "".join(f"  console.log('hello ' + name + ' number {i}');\n" for i in range(200))
        + "}\n"
    )
    css = "".join(f".c{i} {{ color: #{i:06x}; margin: {i}px; }}\n" for i in range(300))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        + "".join(f'<rect x="{i}" y="{i}" width="1" height="1"/>' for i in range(100))
        + "</svg>\n"
    )
    write_tree(
        root,
        {
            "src/js/app.js": js,
            "src/css/site.css": css,
            "src/icons/logo.svg": svg,
            "src/data/info.json": '{"items": [' + ",".join(str(i) for i in range(400)) + "]}\n",
            "src/robots.txt": "User-agent: *\n" + "Disallow: /private\n" * 40,
            "src/fonts/x.woff2": bytes(range(256)) * 4,
            "src/templates/pages/index.html": "<html><body>hi</body></html>\n",
            "pipeline.yaml": f"""
            source: src
            output: dist
            public_path: /static/
            static:
              include: ["js/**", "css/**", "icons/**", "data/**", "robots.txt", "fonts/**"]
              keep_names: ["robots.txt"]
            compress: {{brotli: true, gzip: true, zstd: {str(zstd).lower()}, min_ratio: 0.95}}
            """,
        },
    )
    (root / "secret.txt").write_bytes(SECRET)
    return root / "pipeline.yaml"

"""CompressMiddleware never holds a big body: a ``send_file``-style file wrapper of ~20 MB passes
through untouched, a streamed ~20 MB body is compressed chunk by chunk, and a file wrapper under
``maximum_size`` is compressed as a stream. Peak memory is measured with ``tracemalloc`` while a
real client (http.client over 127.0.0.1, body read and discarded in 64 KiB pieces) downloads
through wsgiref."""

from __future__ import annotations

import http.client
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assetpipe.serve import CompressMiddleware
from tests.test_serve_support import wsgi_server

MB = 1024 * 1024
LINE = b"2026-12-02,order,12345,widget,blue,9.99,shipped,Amsterdam\n"


def _csv(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        for _ in range(size // (len(LINE) * 1000) + 1):
            f.write(LINE * 1000)
    return path


def make_app(big: Path, medium: Path) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ["PATH_INFO"]
        if path in ("/big.csv", "/medium.csv"):
            f = open(big if path == "/big.csv" else medium, "rb")  # noqa: SIM115
            size = (big if path == "/big.csv" else medium).stat().st_size
            start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", str(size))])
            return environ["wsgi.file_wrapper"](f, 64 * 1024)

        def stream() -> Iterator[bytes]:  # ~20 MB, length unknown
            for _ in range(20 * MB // (len(LINE) * 1000)):
                yield LINE * 1000

        if path == "/big.js":  # a page's script from memory (Dash's plotly.min.js, 4.8 MB)
            body = b"Plotly.register(function (a, b) { return a + b; });\n" * (5 * MB // 52)
            headers = [
                ("Content-Type", "application/javascript"),
                ("Content-Length", str(len(body))),
            ]
            start_response("200 OK", headers)
            return [body]

        start_response("200 OK", [("Content-Type", "text/csv")])
        return stream()

    return app


def _download(port: int, path: str) -> tuple[dict[str, str], int, int]:
    """(headers, wire bytes, decoded bytes), reading 64 KiB at a time."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    headers = {k.lower(): v for k, v in resp.getheaders()}
    gz = zlib.decompressobj(31) if headers.get("content-encoding") == "gzip" else None
    wire = decoded = 0
    while chunk := resp.read(64 * 1024):
        wire += len(chunk)
        decoded += len(gz.decompress(chunk, 1 << 16)) if gz else len(chunk)
        while gz is not None and gz.unconsumed_tail:
            decoded += len(gz.decompress(gz.unconsumed_tail, 1 << 16))
    conn.close()
    return headers, wire, decoded


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("csv")
    big = _csv(root / "big.csv", 20 * MB)
    medium = _csv(root / "medium.csv", 3 * MB)
    with wsgi_server(CompressMiddleware(make_app(big, medium))) as p:
        yield p


@pytest.mark.parametrize(
    ("path", "encoded"),
    [
        ("/big.csv", None),  # over maximum_size: passes through, file wrapper kept
        ("/stream", "gzip"),  # unknown length: compressed as it streams
        ("/medium.csv", "gzip"),  # a file wrapper under maximum_size: compressed as a stream
    ],
)
def test_big_bodies_are_never_held_in_memory(port: int, path: str, encoded: str | None) -> None:
    _download(port, "/medium.csv")  # warm-up: imports, codec tables
    tracemalloc.start()
    try:
        headers, wire, decoded = _download(port, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert headers.get("content-encoding") == encoded
    assert decoded >= (3 if path == "/medium.csv" else 19) * MB
    if encoded:
        assert wire < decoded / 5 and "content-length" not in headers
    else:
        assert headers["content-length"] == str(wire)
        assert "vary" not in headers  # never compressed, whatever the client accepts
    # the old middleware joined the whole body (and then compressed it): >= 20 MB (3 MB) peak
    assert peak < 2 * MB, f"{path}: peak {peak / MB:.1f} MB"


def test_a_script_over_maximum_size_is_compressed(port: int) -> None:
    """A page's script is no download: Dash serves Plotly's 4.8 MB ``plotly.min.js`` from
    memory, and over ``maximum_size`` it went out whole, uncompressed, on every cold visit."""
    headers, wire, decoded = _download(port, "/big.js")
    assert headers.get("content-encoding") == "gzip", headers
    assert decoded >= 4.9 * MB and wire < decoded / 20
    assert headers.get("vary") == "Accept-Encoding"

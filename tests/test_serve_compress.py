"""Dynamic compression over real servers: the same bodies through the WSGI CompressMiddleware on
wsgiref and the ASGI one on uvicorn."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import pytest

from assetpipe.serve import STATS, CompressMiddleware
from assetpipe.serve import asgi as asgi_mod
from assetpipe.serve.compress import NO_COMPRESS_KEY
from tests.test_serve_support import asgi_server, decode, request, wsgi_server

HTML = (
    "<!doctype html><html><body>"
    + "".join(f"<p>row {i}</p>" for i in range(400))
    + "</body></html>"
).encode()
ROUTES: dict[str, tuple[int, list[tuple[str, str]], list[bytes]]] = {
    "/page": (200, [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')], [HTML]),
    "/small": (200, [("Content-Type", "text/html")], [b"<p>tiny</p>"]),
    "/png": (200, [("Content-Type", "image/png")], [HTML]),
    "/json": (200, [("Content-Type", "application/problem+json")], [HTML]),
    "/encoded": (
        200,
        [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        [gzip.compress(HTML)],
    ),
    "/no-transform": (
        200,
        [("Content-Type", "text/html"), ("Cache-Control", "private, no-transform")],
        [HTML],
    ),
    "/partial": (
        206,
        [("Content-Type", "text/html"), ("Content-Range", "bytes 0-99/5000")],
        [HTML[:100]],
    ),
    "/vary": (200, [("Content-Type", "text/html"), ("Vary", "Cookie")], [HTML]),
    "/secret": (200, [("Content-Type", "text/html")], [HTML]),
    "/excluded/x": (200, [("Content-Type", "text/html")], [HTML]),
    "/stream": (
        200,
        [("Content-Type", "text/html")],
        [HTML[i : i + 1000] for i in range(0, len(HTML), 1000)],
    ),
}


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    path = environ["PATH_INFO"]
    status, headers, chunks = ROUTES[path]
    inm = environ.get("HTTP_IF_NONE_MATCH", "")
    if path == "/page" and inm.removeprefix("W/") == '"v1"':  # what a Flask app does
        start_response("304 Not Modified", [("ETag", '"v1"')])
        return []
    if path == "/secret":
        environ[NO_COMPRESS_KEY] = True
    if path == "/stream":  # a lazy generator: start_response on the first next(), no length

        def gen() -> Iterator[bytes]:
            start_response("200 OK", list(headers))
            yield from chunks

        return gen()
    body = b"".join(chunks)
    phrase = {200: "200 OK", 206: "206 Partial Content"}[status]
    start_response(phrase, [*headers, ("Content-Length", str(len(body)))])
    return [body]


async def asgi_app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    path = scope["path"]
    status, headers, chunks = ROUTES[path]
    inm = dict(scope["headers"]).get(b"if-none-match", b"")
    if path == "/page" and inm.removeprefix(b"W/") == b'"v1"':
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", b'"v1"')]})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/secret":
        scope[NO_COMPRESS_KEY] = True
    raw = [(k.lower().encode(), v.encode()) for k, v in headers]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        for i, chunk in enumerate(chunks):
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1}
            )
        return
    body = b"".join(chunks)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*raw, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module", params=["wsgi", "asgi"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    options = {"exclude_paths": ["/excluded/"]}
    if request.param == "wsgi":
        with wsgi_server(CompressMiddleware(wsgi_app, **options)) as p:
            yield p
    else:
        with asgi_server(asgi_mod.CompressMiddleware(asgi_app, **options)) as p:
            yield p


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("br, gzip", "br"),
        ("gzip", "gzip"),
        ("zstd", "zstd"),
        ("gzip;q=0", None),
        ("gzip;q=0, br;q=0.1", "br"),
        (None, None),
        ("identity", None),
        ("*;q=0", None),
    ],
)
def test_negotiated(port: int, accept: str | None, expected: str | None) -> None:
    r = request(port, "/page", headers={"Accept-Encoding": accept} if accept else {})
    assert r.status == 200
    assert r.headers.get("content-encoding") == expected
    assert r.headers["vary"] == "Accept-Encoding"
    assert decode(r) == HTML
    if expected:
        assert r.headers["etag"] == 'W/"v1"'
        assert int(r.headers["content-length"]) == len(r.body) < len(HTML)
    else:
        assert r.headers["etag"] == '"v1"'


@pytest.mark.parametrize(
    "path", ["/small", "/png", "/encoded", "/no-transform", "/partial", "/secret", "/excluded/x"]
)
def test_left_alone(port: int, path: str) -> None:
    r = request(port, path, headers={"Accept-Encoding": "br, gzip"})
    original = b"".join(ROUTES[path][2])
    assert r.body == original
    assert r.headers.get("content-encoding") == ("gzip" if path == "/encoded" else None)
    if path in ("/small", "/png", "/partial"):  # never compressible: does not vary
        assert "vary" not in r.headers


def test_structured_json_suffix_is_compressed(port: int) -> None:
    r = request(port, "/json", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert decode(r) == HTML


def test_existing_vary_is_merged(port: int) -> None:
    r = request(port, "/vary", headers={"Accept-Encoding": "gzip"})
    assert r.headers["vary"] == "Cookie, Accept-Encoding"


def test_stream_compressed_chunk_by_chunk(port: int) -> None:
    r = request(port, "/stream", headers={"Accept-Encoding": "gzip"})
    assert r.status == 200
    assert r.headers["content-encoding"] == "gzip"
    assert "content-length" not in r.headers
    assert decode(r) == HTML
    # each chunk was flushed: the stream holds sync-flush markers (empty stored blocks)
    assert r.body.count(b"\x00\x00\xff\xff") >= len(ROUTES["/stream"][2]) - 1


def test_head_matches_the_get(port: int) -> None:
    """RFC 9110 §9.3.2: HEAD sends the GET's headers: same encoding, length and validator."""
    accept = {"Accept-Encoding": "gzip"}
    get = request(port, "/page", headers=accept)
    head = request(port, "/page", "HEAD", accept)
    assert head.status == 200 and head.body == b""
    for name in ("content-encoding", "content-length", "etag", "vary", "content-type"):
        assert head.headers.get(name) == get.headers.get(name), name
    assert head.headers["content-encoding"] == "gzip"
    assert int(head.headers["content-length"]) == len(get.body) < len(HTML)
    plain = request(port, "/page", "HEAD")  # identity: the identity GET's headers
    assert "content-encoding" not in plain.headers and plain.headers["etag"] == '"v1"'
    assert plain.headers["content-length"] == str(len(HTML))


@pytest.mark.parametrize("accept", ["gzip", None])
def test_304_matches_the_200(port: int, accept: str | None) -> None:
    """RFC 9110 §15.4.5: the 304 carries the ETag and Vary the 200 would have."""
    hdrs = {"Accept-Encoding": accept} if accept else {}
    ok = request(port, "/page", headers=hdrs)
    r = request(port, "/page", headers={**hdrs, "If-None-Match": ok.headers["etag"]})
    assert r.status == 304
    assert r.headers["etag"] == ok.headers["etag"] == ('W/"v1"' if accept else '"v1"')
    assert r.headers["vary"] == ok.headers["vary"] == "Accept-Encoding"


def test_stats_count_dynamic_savings(port: int) -> None:
    before = STATS.snapshot()["compression"]
    request(port, "/page", headers={"Accept-Encoding": "gzip"})
    after = STATS.snapshot()["compression"]
    assert after["responses"] == before["responses"] + 1
    assert after["bytes_in"] - before["bytes_in"] == len(HTML)
    assert after["bytes_saved"] > before["bytes_saved"]
    json.dumps(STATS.snapshot())

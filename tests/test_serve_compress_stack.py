"""The generic CompressMiddleware as an app adopting it runs it (a Datasette-like app, and the
``CompressMiddleware(AssetMiddleware(app))`` stack of docs/serving.md), over real servers on
127.0.0.1: wsgiref for WSGI, uvicorn for ASGI.

- BREACH: a response that sets a cookie or says ``private``/``no-store`` is not compressed by
  default (``carries_secret``, the rule the Flask extension has always applied);
  ``breach_guard=False`` compresses it again.
- A 304 from a layer that negotiated the encoding itself (``AssetMiddleware``'s precompressed
  files) keeps its ETag exactly; a 304 standing for a 200 the compress layer encoded still gets
  the weak ETag of that 200.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from assetpipe import build
from assetpipe.serve import AssetMiddleware, CompressMiddleware
from assetpipe.serve import asgi as asgi_mod
from assetpipe.serve.compress import carries_secret
from tests.test_serve_support import Response, asgi_server, decode, make_site, request, wsgi_server

PAGE = (
    "<!doctype html><html><body><form>"
    + "".join(f"<p>row {i}</p>" for i in range(300))
    + '<input name="csrftoken" value="s3cr3t-t0ken"><input name="q" value="{q}">'
    + "</form></body></html>"
)
_HTML = ("Content-Type", "text/html; charset=utf-8")
#: path → the app's headers (besides Content-Type and Content-Length)
ROUTES: dict[str, list[tuple[str, str]]] = {
    # Datasette's form page: a CSRF cookie, private and no-store, the query reflected
    "/form": [("Set-Cookie", "ds_csrftoken=abc; Path=/"), ("Cache-Control", "private, no-store")],
    "/cookie": [("Set-Cookie", "session=1; Path=/; HttpOnly")],
    "/private": [("Cache-Control", "private, max-age=60"), ("ETag", '"p1"')],
    "/no-store": [("Cache-Control", "no-store")],
    "/plain": [("Cache-Control", "public, max-age=60")],
    "/dynamic": [("ETag", '"v1"')],
}


def _body(path: str, query: str) -> bytes:
    return PAGE.replace("{q}", query).encode()


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    path = environ["PATH_INFO"]
    headers = ROUTES[path]
    etag = dict(headers).get("ETag")
    inm = environ.get("HTTP_IF_NONE_MATCH", "")
    if etag and etag in {t.strip().removeprefix("W/") for t in inm.split(",")}:
        start_response("304 Not Modified", [(k, v) for k, v in headers if k != "Set-Cookie"])
        return []
    body = _body(path, environ.get("QUERY_STRING", ""))
    start_response("200 OK", [_HTML, *headers, ("Content-Length", str(len(body)))])
    return [body]


async def asgi_app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    path = scope["path"]
    headers = ROUTES[path]
    etag = dict(headers).get("ETag")
    inm = dict(scope["headers"]).get(b"if-none-match", b"").decode()
    if etag and etag in {t.strip().removeprefix("W/") for t in inm.split(",")}:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers if k != "Set-Cookie"]
        await send({"type": "http.response.start", "status": 304, "headers": raw})
        await send({"type": "http.response.body", "body": b""})
        return
    body = _body(path, scope.get("query_string", b"").decode())
    raw = [(k.lower().encode(), v.encode()) for k, v in [_HTML, *headers]]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": raw})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stack-site")
    build(make_site(root))
    # a file of public/ the build did not precompress: the compress layer encodes it on the fly
    public = (root / "dist").resolve() / "public"
    (public / "notes.txt").write_text("a note the build did not compress\n" * 60)
    return root / "dist"


@pytest.fixture(scope="module", params=["wsgi", "asgi"])
def servers(request: pytest.FixtureRequest, site: Path) -> Iterator[tuple[int, int]]:
    """(port of the default stack, port of the stack with ``breach_guard=False``)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for options in ({}, {"breach_guard": False}):
            if request.param == "wsgi":
                app: Any = CompressMiddleware(AssetMiddleware(wsgi_app, site), **options)
                ports.append(stack.enter_context(wsgi_server(app)))
            else:
                app = asgi_mod.CompressMiddleware(
                    asgi_mod.AssetMiddleware(asgi_app, site), **options
                )
                ports.append(stack.enter_context(asgi_server(app)))
        yield ports[0], ports[1]


def _get(port: int, path: str, **headers: str) -> Response:
    return request(port, path, headers={k.replace("_", "-"): v for k, v in headers.items()})


# --- BREACH ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/form?q=%3Cscript%3E", "/cookie", "/private", "/no-store"])
def test_secret_bearing_responses_are_not_compressed(servers: tuple[int, int], path: str) -> None:
    guarded, _ = servers
    r = _get(guarded, path, Accept_Encoding="br, gzip, zstd")
    assert r.status == 200
    assert "content-encoding" not in r.headers
    assert r.body == _body(path.split("?")[0], path.partition("?")[2])
    # never compressed, whatever the client accepts: nothing to vary on
    assert "accept-encoding" not in r.headers.get("vary", "").lower()
    head = request(guarded, path, "HEAD", {"Accept-Encoding": "br"})
    assert head.status == 200 and "content-encoding" not in head.headers


def test_plain_response_still_compressed(servers: tuple[int, int]) -> None:
    guarded, _ = servers
    r = _get(guarded, "/plain", Accept_Encoding="br, gzip")
    assert r.headers["content-encoding"] == "br"
    assert r.headers["vary"] == "Accept-Encoding"
    assert decode(r) == _body("/plain", "")


@pytest.mark.parametrize("path", ["/form?q=x", "/cookie", "/private", "/no-store"])
def test_breach_guard_opt_out_compresses_again(servers: tuple[int, int], path: str) -> None:
    _, unguarded = servers
    r = _get(unguarded, path, Accept_Encoding="gzip")
    assert r.headers["content-encoding"] == "gzip"
    assert decode(r) == _body(path.split("?")[0], path.partition("?")[2])


def test_private_304_keeps_its_etag(servers: tuple[int, int]) -> None:
    """The guard covers the 304 too: the 200 was not compressed, so its ETag stays strong."""
    guarded, _ = servers
    ok = _get(guarded, "/private", Accept_Encoding="br")
    r = _get(guarded, "/private", Accept_Encoding="br", If_None_Match=ok.headers["etag"])
    assert r.status == 304
    assert r.headers["etag"] == ok.headers["etag"] == '"p1"'


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Set-Cookie", "a=1")], True),
        ([("set-cookie", "a=1")], True),
        ([("Cache-Control", "private")], True),
        ([("Cache-Control", "max-age=0, Private")], True),
        ([("Cache-Control", 'private="Set-Cookie"')], True),
        ([("Cache-Control", "no-store")], True),
        ([("Cache-Control", "public"), ("Cache-Control", "no-store")], True),
        ([("Cache-Control", "public, max-age=60")], False),
        ([("Cache-Control", "no-cache")], False),
        ([("Vary", "Cookie")], False),
        ([], False),
    ],
)
def test_carries_secret(headers: list[tuple[str, str]], expected: bool) -> None:
    assert carries_secret(headers) is expected


# --- ETags of 304s -----------------------------------------------------------------------


def _manifest_url(site: Path, key: str) -> str:
    manifest = json.loads((site / "manifest.json").read_text())
    return "/static/" + str(manifest[key]["file"])


@pytest.mark.parametrize("accept", ["br, gzip, zstd", "gzip", "zstd", "identity", None])
@pytest.mark.parametrize("key", ["js/app.js", "css/site.css", "icons/logo.svg"])
def test_precompressed_asset_304_keeps_the_200s_etag(
    servers: tuple[int, int], site: Path, accept: str | None, key: str
) -> None:
    port, _ = servers
    url = _manifest_url(site, key)
    hdrs = {"Accept-Encoding": accept} if accept else {}
    ok = request(port, url, headers=hdrs)
    assert ok.status == 200
    etag = ok.headers["etag"]
    assert not etag.startswith("W/")  # AssetMiddleware's own strong, per-encoding tag
    if accept and accept != "identity":
        assert ok.headers["content-encoding"] == accept.split(",")[0]
    r = request(port, url, headers={**hdrs, "If-None-Match": etag})
    assert r.status == 304
    assert r.headers["etag"] == etag
    assert r.headers["vary"] == ok.headers["vary"] == "Accept-Encoding"
    # If-Modified-Since alone: the same 304
    since = request(port, url, headers={**hdrs, "If-Modified-Since": ok.headers["last-modified"]})
    assert since.status == 304 and since.headers["etag"] == etag


@pytest.mark.parametrize("accept", ["gzip", None])
def test_dynamic_304_still_matches_the_compressed_200(
    servers: tuple[int, int], accept: str | None
) -> None:
    """The app's page through both layers: its compressed 200 has the weak tag, and so does
    the 304 answering a client that holds it."""
    port, _ = servers
    hdrs = {"Accept-Encoding": accept} if accept else {}
    ok = request(port, "/dynamic", headers=hdrs)
    assert ok.headers.get("content-encoding") == accept
    assert ok.headers["etag"] == ('W/"v1"' if accept else '"v1"')
    r = request(port, "/dynamic", headers={**hdrs, "If-None-Match": ok.headers["etag"]})
    assert r.status == 304
    assert r.headers["etag"] == ok.headers["etag"]
    assert r.headers["vary"] == "Accept-Encoding"


def test_304_names_the_copy_the_client_holds(servers: tuple[int, int]) -> None:
    """A client holding the identity copy ("v1") now asking with gzip: the 304 validates that
    copy, so it keeps "v1"; one listing both copies gets the one it would be sent (gzip)."""
    port, _ = servers
    r = request(port, "/dynamic", headers={"Accept-Encoding": "gzip", "If-None-Match": '"v1"'})
    assert r.status == 304 and r.headers["etag"] == '"v1"'
    both = {"Accept-Encoding": "gzip", "If-None-Match": '"v1", W/"v1"'}
    assert request(port, "/dynamic", headers=both).headers["etag"] == 'W/"v1"'


def test_asset_compressed_on_the_fly_gets_the_weak_etag_on_304(
    servers: tuple[int, int],
) -> None:
    """A file of public/ without precompressed siblings is encoded by the compress layer: its
    200 and its 304 both carry the weak form of AssetMiddleware's tag."""
    port, _ = servers
    ok = request(port, "/static/notes.txt", headers={"Accept-Encoding": "gzip"})
    assert ok.headers["content-encoding"] == "gzip"
    assert ok.headers["etag"].startswith('W/"')
    r = request(
        port,
        "/static/notes.txt",
        headers={"Accept-Encoding": "gzip", "If-None-Match": ok.headers["etag"]},
    )
    assert r.status == 304 and r.headers["etag"] == ok.headers["etag"]

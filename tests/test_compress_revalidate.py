"""CompressMiddleware answers a revalidation of a body it compressed with a 304 when the app
inside misses the weak tag it made.

The layer sends a compressed 200 with the app's strong ETag ``"x"`` made weak, ``W/"x"``; the
browser revalidates with ``If-None-Match: W/"x"``. ``If-None-Match`` compares weakly (RFC 9110
§13.1.2), but WhiteNoise compares the header with its ETag as a string, so it answered 200 and
the whole file again: a project made by cookiecutter-django, adopted, under ``runserver``
(WhiteNoise in front, ``max-age=0`` with ``DEBUG``) fetched every admin and debug-toolbar file
again on each warm visit (the admin's user page: 279 KB where the plain project's 304s made
59 KB). Real WhiteNoise under wsgiref; for ASGI, an app that compares the same way, under uvicorn.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import pytest
from whitenoise import WhiteNoise

from assetpipe.serve import CompressMiddleware
from assetpipe.serve import asgi as asgi_mod
from tests.test_serve_support import asgi_server, decode, request, wsgi_server

CSS = b"".join(b".rule-%d { color: #%06x; margin: %dpx }\n" % (i, i * 997, i) for i in range(200))
ETAG = '"6b14213f-1840"'


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


async def strict_asgi(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    """A file server that, as WhiteNoise, compares If-None-Match with its ETag as a string."""
    inm = dict(scope["headers"]).get(b"if-none-match", b"").decode()
    if inm == ETAG:
        await send(
            {"type": "http.response.start", "status": 304, "headers": [(b"etag", ETAG.encode())]}
        )
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [
        (b"content-type", b"text/css; charset=utf-8"),
        (b"content-length", str(len(CSS)).encode()),
        (b"cache-control", b"max-age=0, public"),
        (b"etag", ETAG.encode()),
        (b"access-control-allow-origin", b"*"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": CSS})


@pytest.fixture(scope="module", params=["whitenoise", "asgi"])
def port(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with contextlib.ExitStack() as stack:
        if request.param == "whitenoise":
            root = tmp_path_factory.mktemp("collected")
            (root / "admin" / "css").mkdir(parents=True)
            (root / "admin" / "css" / "base.css").write_bytes(CSS)
            # runserver's WhiteNoise under DEBUG: autorefresh, max-age=0
            files = WhiteNoise(_not_found, root=str(root), prefix="static/", autorefresh=True)
            yield stack.enter_context(wsgi_server(CompressMiddleware(files)))
        else:
            yield stack.enter_context(asgi_server(asgi_mod.CompressMiddleware(strict_asgi)))


PATH = "/static/admin/css/base.css"


def _get(port: int, method: str = "GET", **headers: str) -> Any:
    return request(port, PATH, method, {k.replace("_", "-"): v for k, v in headers.items()})


def test_a_revalidation_of_the_compressed_copy_is_a_304(port: int) -> None:
    first = _get(port, Accept_Encoding="gzip, deflate, br, zstd")
    assert first.status == 200 and first.headers["content-encoding"] == "br"
    assert decode(first) == CSS
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    for method in ("GET", "HEAD"):
        again = _get(port, method, Accept_Encoding="gzip, deflate, br, zstd", If_None_Match=tag)
        assert again.status == 304, (method, again.status, len(again.body))
        assert again.body == b""
        assert again.headers["etag"] == tag
        assert "accept-encoding" in again.headers["vary"].lower()
        assert "cache-control" in again.headers
        assert "content-type" not in again.headers  # (wsgiref adds Content-Length: 0 itself)
    # the client's own strong tag: the app's 304, as before
    strong = _get(port, Accept_Encoding="br", If_None_Match=tag[2:])
    assert strong.status == 304 and strong.headers["etag"] == tag[2:]


def test_another_tag_still_gets_the_body(port: int) -> None:
    r = _get(port, Accept_Encoding="br", If_None_Match='W/"0-0", "1-1"')
    assert r.status == 200 and decode(r) == CSS
    r = _get(port, If_None_Match='W/"0-0"')  # identity: the app's 200 as it is
    assert r.status == 200 and r.body == CSS


def test_a_post_is_left_to_the_app(port: int) -> None:
    tag = _get(port, Accept_Encoding="br").headers["etag"]
    r = _get(port, "POST", Accept_Encoding="br", If_None_Match=tag, Content_Length="0")
    assert r.status != 304

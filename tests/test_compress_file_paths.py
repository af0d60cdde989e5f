"""``file_paths``: path prefixes a file server answers, spared by the BREACH guard in both
``CompressMiddleware``s (a file's body reflects no request input, and a session middleware
around the file server may set a cookie on each of its responses: starlette-admin's on
Starlette 0.46). The WSGI layer took the option but never read it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assetpipe.serve import CompressMiddleware

BODY = b"body { color: #123456; }\n" * 200


def _cookie_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response(
        "200 OK",
        [("Content-Type", "text/css"), ("Set-Cookie", "session=x; path=/")],
    )
    return [BODY]


def _get(app: Any, path: str) -> dict[str, str]:
    got: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        got.update({k.lower(): v for k, v in headers})
        return lambda data: None

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_ACCEPT_ENCODING": "br"}
    b"".join(app(environ, start_response))
    return got


def test_wsgi_file_paths_are_compressed_beside_a_cookie() -> None:
    app = CompressMiddleware(_cookie_app, file_paths=["/admin/statics/"])
    assert _get(app, "/admin/statics/css/tabler.css").get("content-encoding") == "br"
    assert "content-encoding" not in _get(app, "/admin/page")

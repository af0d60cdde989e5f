"""Validators for dynamic responses: ``strong_etag(body)`` and ``ETagMiddleware``.

``ETagMiddleware(app, buffer_size=1 MiB)`` (WSGI) gives a 200 ``GET``/``HEAD`` response that has
no ``ETag`` a strong one computed from its body (blake2b), and answers a matching
``If-None-Match`` with 304 (the app still renders: this saves bandwidth, not CPU — the response
cache in ``assetpipe.serve.response_cache`` saves both). It only looks at bodies already in memory
or of a known length up to ``buffer_size``; streams, file wrappers, ``Cache-Control: no-store``
and responses that set a cookie pass through untouched. Put ``CompressMiddleware`` outside it:
the compressed 200 then carries the weak form of the same tag, and so does its 304.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from .body import Chained
from .compress import header_dict, is_file_wrapper, not_modified
from .http import etag_matches
from .passthrough import Passthrough

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def strong_etag(body: bytes) -> str:
    """A strong ETag for these exact bytes."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class ETagMiddleware(Passthrough):
    """Add a strong ETag to a WSGI app's buffered 200 responses and answer ``If-None-Match``."""

    def __init__(self, app: WSGIApp, *, buffer_size: int = 1 << 20) -> None:
        self.app = app
        self.buffer_size = buffer_size

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        state: dict[str, Any] = {}
        written: list[bytes] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            h = header_dict(headers)
            length = h.get("content-length", "")
            if (
                "late" in state
                or not status.startswith("200")
                or "etag" in h
                or "set-cookie" in h
                or "no-store" in h.get("cache-control", "").lower()
                or (length and (not length.isdigit() or int(length) > self.buffer_size))
            ):
                state["pass"] = True
                return start_response(status, headers, exc_info)  # type: ignore[no-any-return]
            state.update(status=status, headers=list(headers), known=bool(length))
            return written.append

        result = self.app(environ, capture)
        if not state:  # a lazy app (start_response on the first chunk): a stream, passed on
            state["late"] = True
            return result
        if "pass" in state:
            return result
        if not (state["known"] or isinstance(result, list | tuple)) or is_file_wrapper(
            result, environ
        ):
            start_response(state["status"], state["headers"])
            return Chained(written, iter(result), result) if written else result
        try:
            body = b"".join([*written, *result])
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        tag = strong_etag(body)
        headers = [*state["headers"], ("ETag", tag)]
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm is not None and etag_matches(inm, tag):
            start_response("304 Not Modified", not_modified(headers))
            return []
        start_response(state["status"], headers)
        return [body]

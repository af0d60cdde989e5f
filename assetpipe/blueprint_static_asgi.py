"""``ASGIBlueprintStatic``: ``BlueprintStatic`` in front of a Quart app's ``asgi_app``.

A Flask extension used from Quart (Flask-Bootstrap through ``quart_flask_patch``, a blueprint of
the app's own with a ``static_folder``) ships its files in a blueprint static folder, which the
build cannot see: the same naming (``url_for`` gives the hashed name) and the same answers
(``immutable``, compressed, ETag/304) as under Flask. The answer is made in a worker thread
(``asyncio.to_thread``): a file's first request in a coding compresses it, which must not stall
the event loop. Everything else, and a hashed URL that is not the file's current one, goes on to
the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .blueprint_static import BlueprintStatic
from .hashing import HASHED_NAME
from .serve.asgi import app_path, request_headers

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class ASGIBlueprintStatic:
    """The ASGI twin of ``BlueprintStatic`` (its naming is installed on ``app`` as there)."""

    def __init__(self, asgi_app: ASGIApp, app: Any) -> None:
        self.app = asgi_app
        self.static = BlueprintStatic(_no_wsgi, app)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = app_path(scope)  # without a proxy's root path, as the blueprint's URL rule
        method = str(scope.get("method") or "GET")
        if scope["type"] != "http" or method not in ("GET", "HEAD") or not HASHED_NAME.search(path):
            await self.app(scope, receive, send)
            return
        accept, if_none_match = request_headers(scope)[:2]
        got = await asyncio.to_thread(
            self.static.respond, method, path, accept, if_none_match or ""
        )
        if got is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = got
        await send(
            {
                "type": "http.response.start",
                "status": int(status.split(" ", 1)[0]),
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _no_wsgi(environ: Any, start_response: Any) -> Any:  # pragma: no cover - never called
    raise RuntimeError("ASGIBlueprintStatic answers through respond() only")

"""``cached``: the response cache as a Flask view decorator.

    from assetpipe.serve.rcache import ResponseCache, RedisBackend
    from assetpipe.serve.rcache.flask import cached

    cache = ResponseCache(RedisBackend(url="redis://127.0.0.1:6379/0"), ttl=60)

    @app.get("/api/items")
    @cached(cache, ttl=30, tags=["items"])
    def items(): ...

    @app.post("/api/items")
    def add_item():
        ...
        cache.invalidate_tag("items")

The view runs only on a miss; hits (and ``If-None-Match`` 304s) are answered from the stored
bytes, already compressed (``Content-Encoding`` set, so flask-compress or ``CompressMiddleware``
leave them alone). A view that reads the session (``session[...]``, flask-login's
``current_user``) is never shared unless ``user=`` puts the user in the key.
``key``/``user``/``tags`` callables receive the cache's ``Request`` (``.raw`` is the WSGI
environ) and run inside the request context, so ``current_user`` works:
``user=lambda req: current_user.get_id() if current_user.is_authenticated else None``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .core import Captured, KeySpec, Request, ResponseCache, Rule
from .wsgi import wsgi_request

F = TypeVar("F", bound=Callable[..., Any])


def _session_accessed() -> bool:
    """Whether the view read the session, without marking it read ourselves (since Flask 3.1.3
    the ``session`` proxy marks it on any access; the context keeps it in ``_session``)."""
    from flask.globals import request_ctx

    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    sess = ctx.__dict__.get("_session", ctx.__dict__.get("session"))
    return bool(getattr(sess, "accessed", False))


def cached(
    cache: ResponseCache,
    ttl: float | None = None,
    *,
    key: KeySpec = None,
    user: Callable[[Request], str | None] | None = None,
    tags: Sequence[str] | Callable[[Request], Iterable[str]] = (),
) -> Callable[[F], F]:
    """Decorate a Flask view: see the module doc and ``ResponseCache``."""
    rule = Rule(ttl if ttl is not None else cache.ttl, key, user, tags)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flask import Response, make_response, request

            # HEAD runs the view like GET (Flask's rule); werkzeug drops the body
            req = wsgi_request(request.environ, method="GET")
            passed: dict[str, Any] = {}

            def run_app() -> Captured | None:
                resp = make_response(view(*args, **kwargs))
                if resp.is_streamed or resp.direct_passthrough:
                    passed["response"] = resp
                    return None
                headers = list(resp.headers.items())
                if _session_accessed():
                    # Flask adds "Vary: Cookie" only after the view: a view that read the
                    # session (flask-login's current_user does) is per user
                    headers.append(("Vary", "Cookie"))
                return Captured(resp.status, headers, resp.get_data())

            reply = cache.serve(req, rule, run_app)
            if reply is None:
                return passed["response"] if "response" in passed else view(*args, **kwargs)
            out = Response(reply.body, status=reply.status)
            out.headers.clear()
            for name, value in reply.headers:
                out.headers.add(name, value)
            return out

        return wrapper  # type: ignore[return-value]

    return decorate

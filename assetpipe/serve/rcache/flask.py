"""``cached``: the response cache as a Flask view decorator, and ``answer_hits_early``, which
answers the decorated views' hits before Flask's dispatch.

    from assetpipe.serve.rcache import ResponseCache, RedisBackend
    from assetpipe.serve.rcache.flask import answer_hits_early, cached

    cache = ResponseCache(RedisBackend(url="redis://127.0.0.1:6379/0"), ttl=60)

    @app.get("/api/items")
    @cached(cache, ttl=30, tags=["items"])
    def items(): ...

    @app.post("/api/items")
    def add_item():
        ...
        cache.invalidate_tag("items")

    answer_hits_early(app)   # optional, before wrapping app.wsgi_app in any middleware

The view runs only on a miss; hits (and ``If-None-Match`` 304s) are answered from the stored
bytes, already compressed (``Content-Encoding`` set, so flask-compress or ``CompressMiddleware``
leave them alone). A view that reads the session (``session[...]``, flask-login's
``current_user``) is never shared unless ``user=`` puts the user in the key.
``key``/``user``/``tags`` callables receive the cache's ``Request`` (``.raw`` is the WSGI
environ) and run inside the request context, so ``current_user`` works:
``user=lambda req: current_user.get_id() if current_user.is_authenticated else None``.

Without ``answer_hits_early`` a hit still pays Flask's whole dispatch (request context, session,
URL matching, the hooks, a ``Response`` object) around the lookup. With it, a WSGI layer just
inside ``app.wsgi_app`` matches the URL (Werkzeug's map, memoised by path), and when the
endpoint's view is a ``cached`` one it looks the request up with the same cache, rule and key;
a hit is answered there, anything else goes to Flask as before (where the decorator handles the
miss: single flight, store). It answers early only when skipping the dispatch changes nothing a
client sees, and otherwise leaves the request to Flask: not when the app or the view's
blueprints have ``before_request``/``after_request`` functions or URL value preprocessors
(``track_flask_routes``' route recorder aside: the layer records the route itself), when
anything listens to the ``request_started``/``request_finished`` signals, when the request
carries the session cookie (a permanent session is refreshed on every response). URLs are
matched by Flask's own adapter (host and subdomain matching, ``SERVER_NAME``,
``TRUSTED_HOSTS``), memoised by host and path. ``key``/``user`` callables run inside a request
context it pushes for them. A view wrapped in another decorator above ``@cached`` (say
``@login_required``) is not the ``cached`` view itself, so its hits always go through Flask.
Teardown functions do not run for an early hit (nothing of the app ran).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from ..metrics import ROUTE_KEY, is_route_recorder
from .core import ResponseCache
from .rules import Captured, KeySpec, Request, Rule
from .wsgi import Environ, wsgi_request

F = TypeVar("F", bound=Callable[..., Any])

#: the ``cached`` views (the wrapper functions themselves, by identity: ``functools.wraps`` in
#: a decorator above would copy an attribute onto its own wrapper, and that one must not be
#: skipped), with their cache and rule
_VIEWS: weakref.WeakKeyDictionary[Callable[..., Any], tuple[ResponseCache, Rule]] = (
    weakref.WeakKeyDictionary()
)
#: how many (path, method) URL matches ``answer_hits_early`` remembers
MATCH_MEMO = 4096


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

        _VIEWS[wrapper] = (cache, rule)
        return wrapper  # type: ignore[return-value]

    return decorate


def answer_hits_early(app: Any) -> EarlyHits:
    """Answer the hits of ``app``'s ``cached`` views before Flask's dispatch (see the module
    doc): wraps ``app.wsgi_app``, which must still be Flask's own (call this before wrapping it
    in any middleware, so that middleware sees the early hits too)."""
    inner = app.wsgi_app
    if getattr(inner, "__func__", None) is not getattr(type(app), "wsgi_app", None):
        raise ValueError(
            "answer_hits_early(app): app.wsgi_app is already wrapped in a middleware; call it "
            "first, so that the middleware also sees the hits answered early"
        )
    early = EarlyHits(app, inner)
    app.wsgi_app = early
    return early


class EarlyHits:
    """The WSGI layer ``answer_hits_early`` puts just inside ``app.wsgi_app``."""

    def __init__(self, app: Any, inner: Callable[..., Iterable[bytes]]) -> None:
        self.flask_app = app
        self.inner = inner
        self._matches: dict[tuple[str, str, str, str], tuple[str, str] | None] = {}

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET" or method == "HEAD":
            found = self._view(environ, method)
            if found is not None:
                cache, rule, route = found
                reply = self._hit(cache, rule, environ)
                if reply is not None:
                    if ROUTE_KEY not in environ:
                        environ[ROUTE_KEY] = route
                    start_response(reply.status, reply.headers)
                    return [reply.body]
        return self.inner(environ, start_response)

    def _view(self, environ: Environ, method: str) -> tuple[ResponseCache, Rule, str] | None:
        """The cache, rule and URL rule of the ``cached`` view this request goes to, when it
        may be answered early."""
        app = self.flask_app
        cookie = environ.get("HTTP_COOKIE")
        if cookie and app.config["SESSION_COOKIE_NAME"] + "=" in cookie:
            return None
        match = self._match(environ, method)
        if match is None:
            return None
        endpoint, route = match
        view = app.view_functions.get(endpoint)
        spec = _VIEWS.get(view) if view is not None else None
        if spec is None or not _hookless(app, endpoint):
            return None
        return spec[0], spec[1], route

    def _match(self, environ: Environ, method: str) -> tuple[str, str] | None:
        """(endpoint, URL rule) for this request, or None (no match, a redirect, a host
        ``TRUSTED_HOSTS`` refuses): Flask's own URL adapter (host and subdomain matching,
        ``SERVER_NAME``, as Flask's version does them), memoised by host, script name, path and
        method."""
        memo_key = (
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO") or "/",
            method,
        )
        try:
            return self._matches[memo_key]
        except KeyError:
            pass
        from werkzeug.exceptions import HTTPException
        from werkzeug.routing import RequestRedirect

        app = self.flask_app
        found: tuple[str, str] | None = None
        try:
            adapter = app.create_url_adapter(app.request_class(environ))
            if adapter is not None:
                rule, _ = adapter.match(method=method, return_rule=True)
                found = (rule.endpoint, rule.rule)
        except (HTTPException, RequestRedirect):
            found = None
        if len(self._matches) >= MATCH_MEMO:
            self._matches.clear()
        self._matches[memo_key] = found
        return found

    def _hit(self, cache: ResponseCache, rule: Rule, environ: Environ) -> Any:
        """The stored reply for this request, or None."""
        req = wsgi_request(environ)
        if callable(rule.key) or rule.user is not None:
            # key and user callables run in a request context (current_user works)
            with self.flask_app.request_context(environ):
                entry = cache.find(req, rule)
        else:
            entry = cache.find(req, rule)
        return cache.answer(entry, req) if entry is not None else None


def _hookless(app: Any, endpoint: str) -> bool:
    """Whether no ``before_request``/``after_request`` function or URL value preprocessor of
    the app or the endpoint's blueprints would run (the route recorder aside), and nothing
    listens to the request signals."""
    from flask.signals import request_finished, request_started

    if request_started.receivers or request_finished.receivers:
        return False
    names: list[str | None] = [None]
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:
        names.append(blueprint)
        blueprint = blueprint.rpartition(".")[0]
    for name in names:
        if app.url_value_preprocessors.get(name) or app.after_request_funcs.get(name):
            return False
        if not all(is_route_recorder(f) for f in app.before_request_funcs.get(name, ())):
            return False
    return True

"""``answer_hits_early``: hits of ``cached`` views answered before Flask's dispatch, over real
HTTP (wsgiref), and each case where it must leave the request to Flask because skipping the
dispatch would change what the client gets. (The cache's semantics through both paths are in
``test_rcache.py``.)"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http.client import HTTPConnection
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, request, session

from assetpipe.serve.metrics import ROUTE_KEY
from assetpipe.serve.rcache import ResponseCache
from assetpipe.serve.rcache.flask import answer_hits_early, cached
from tests.rcache_support import Calls, make_flask_app
from tests.test_serve_support import request as http
from tests.test_serve_support import wsgi_server

BR = {"Accept-Encoding": "br"}
#: set by the HTTP server, not by either path
_SERVER_HEADERS = {"date", "server"}


def _headers(r: Any) -> dict[str, str]:
    return {k: v for k, v in r.headers.items() if k not in _SERVER_HEADERS}


def _counted_app(cache: ResponseCache, calls: Calls) -> Flask:
    app = Flask("early_test")
    app.secret_key = "test"

    @app.get("/items")
    @cached(cache, ttl=60)
    def items() -> Any:
        calls("items")
        return jsonify([{"id": i, "pad": "p" * 40} for i in range(100)])

    @app.teardown_request
    def dispatched(exc: BaseException | None) -> None:
        calls("dispatch")

    return app


def test_hits_skip_the_dispatch_and_match_the_dispatched_ones() -> None:
    answers: dict[bool, list[Any]] = {}
    for early in (False, True):
        calls = Calls()
        cache = ResponseCache(name=f"early-{early}")
        app = make_flask_app(cache, calls, early=early)
        with wsgi_server(app) as port:
            first = http(port, "/items", headers=BR)
            hits = [http(port, "/items", headers=h) for h in (BR, {}, {"Accept-Encoding": "gzip"})]
            head = http(port, "/items", "HEAD", BR)
            not_modified = http(
                port, "/items", headers={**BR, "If-None-Match": first.headers["etag"]}
            )
            varied = [http(port, "/lang", headers={"X-Lang": x}) for x in ("en", "fr", "en", "fr")]
        assert calls.get("items") == 1 and calls.get("lang") == 2
        # the miss, and the first /lang of each language, went through Flask; with the early
        # layer, none of the hits did
        assert calls.get("dispatch") == (3 if early else 10)
        answers[early] = [*hits, head, not_modified, *varied]
    for dispatched, early_one in zip(answers[False], answers[True], strict=True):
        assert early_one.status == dispatched.status
        assert _headers(early_one) == _headers(dispatched)
        assert early_one.body == dispatched.body


def test_a_hook_sends_the_hits_through_flask() -> None:
    """after_request (a header on every response), before_request (a check), on the app or on
    the view's blueprint: the hits go through Flask, so the hooks run for them too."""
    calls = Calls()
    cache = ResponseCache(name="early-hooks")
    app = _counted_app(cache, calls)
    api = Blueprint("api", __name__)
    other = Blueprint("other", __name__)

    @api.get("/api/items")
    @cached(cache, ttl=60)
    def api_items() -> Any:
        calls("api")
        return jsonify(list(range(300)))

    @api.before_request
    def require_key() -> Any:
        if request.headers.get("X-Key") != "k":  # not in the cache key: same entry
            return jsonify(error="key"), 403
        return None

    @other.before_request
    def unrelated() -> None:  # another blueprint's hook does not stop /items
        calls("unrelated")

    @other.get("/other")
    def other_view() -> str:
        return "other"

    app.register_blueprint(api)
    app.register_blueprint(other)

    @app.after_request
    def frame(resp: Any) -> Any:
        if request.path != "/items":
            resp.headers["X-Frame-Options"] = "DENY"
        return resp

    answer_hits_early(app)
    with wsgi_server(app) as port:
        for _ in range(3):
            r = http(port, "/api/items", headers={"X-Key": "k"})
            assert r.status == 200 and r.headers["x-frame-options"] == "DENY"
        assert http(port, "/api/items").status == 403  # a stored entry, but the check runs
        assert calls.get("api") == 1
        assert calls.get("dispatch") == 4
        app.after_request_funcs.clear()  # no app-level hook now: /items is answered early
        for _ in range(3):
            r = http(port, "/items")
            assert r.status == 200 and "x-frame-options" not in r.headers
        assert calls.get("items") == 1 and calls.get("dispatch") == 5
        # the blueprint's own check still runs for its view's hits
        assert http(port, "/api/items").status == 403
        assert http(port, "/api/items", headers={"X-Key": "k"}).status == 200
        assert calls.get("api") == 1 and calls.get("dispatch") == 7
        assert calls.get("unrelated") == 0


def test_a_decorator_above_cached_is_never_skipped() -> None:
    calls = Calls()
    cache = ResponseCache(name="early-outer")
    app = _counted_app(cache, calls)

    def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)  # copies the view's __dict__: nothing there may mark it cached
        def check(*args: Any, **kwargs: Any) -> Any:
            if request.headers.get("X-Token") != "t":
                return jsonify(error="login"), 401
            return view(*args, **kwargs)

        return check

    @app.get("/mine")
    @login_required
    @cached(cache, ttl=60)
    def mine() -> Any:
        calls("mine")
        return jsonify(list(range(300)))

    answer_hits_early(app)
    with wsgi_server(app) as port:
        assert http(port, "/mine", headers={"X-Token": "t"}).status == 200
        assert http(port, "/mine", headers={"X-Token": "t"}).status == 200
        assert http(port, "/mine").status == 401
    assert calls.get("mine") == 1 and calls.get("dispatch") == 3


def test_a_request_with_the_session_cookie_goes_through_flask() -> None:
    """A permanent session is refreshed (Set-Cookie) on every response Flask sends."""
    calls = Calls()
    cache = ResponseCache(name="early-session")
    app = _counted_app(cache, calls)

    @app.get("/login")
    def login() -> str:
        session.permanent = True
        session["who"] = "alice"
        return "ok"

    answer_hits_early(app)
    with wsgi_server(app) as port:
        cookie = http(port, "/login").headers["set-cookie"].split(";", 1)[0]
        http(port, "/items")
        before = calls.get("dispatch")
        r = http(port, "/items", headers={"Cookie": cookie})
        assert r.status == 200 and "set-cookie" in r.headers  # Flask refreshed it
        assert calls.get("dispatch") == before + 1
        http(port, "/items", headers={"Cookie": "theme=dark"})  # another cookie: early
        assert calls.get("dispatch") == before + 1
    assert calls.get("items") == 1


def test_the_route_label_is_recorded_for_early_hits() -> None:
    from assetpipe.serve.metrics import track_flask_routes

    calls = Calls()
    cache = ResponseCache(name="early-route")
    app = _counted_app(cache, calls)
    track_flask_routes(app)  # a before_request hook, but the layer records the route itself
    answer_hits_early(app)
    seen: list[str] = []
    inner = app.wsgi_app

    def outer(environ: dict[str, Any], start_response: Any) -> Any:
        result = inner(environ, start_response)
        seen.append(environ.get(ROUTE_KEY, "-"))
        return result

    app.wsgi_app = outer  # type: ignore[method-assign]
    with wsgi_server(app) as port:
        for _ in range(3):
            assert http(port, "/items").status == 200
    assert seen == ["/items"] * 3
    assert calls.get("dispatch") == 1


def test_it_must_be_the_innermost_layer() -> None:
    app = _counted_app(ResponseCache(name="early-order"), Calls())
    wrapped = app.wsgi_app
    app.wsgi_app = lambda environ, start_response: wrapped(environ, start_response)  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="already wrapped"):
        answer_hits_early(app)


def test_urls_are_matched_as_flask_matches_them() -> None:
    """Host matching and TRUSTED_HOSTS: a stored entry is never an answer for a host Flask
    would not route to the view."""
    calls = Calls()
    cache = ResponseCache(name="early-hosts")
    app = Flask("early_hosts", host_matching=True, static_host="static.example")
    app.config["TRUSTED_HOSTS"] = ["api.example", "www.example"]

    @app.get("/items", host="api.example")
    @cached(cache, ttl=60)
    def items() -> Any:
        calls("items")
        return jsonify(list(range(300)))

    @app.get("/items", host="www.example")
    def www_items() -> str:
        return "www"

    def get(port: int, host: str) -> tuple[int, bytes]:
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/items", headers={"Host": host})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    answer_hits_early(app)
    with wsgi_server(app) as port:
        for _ in range(3):
            status, body = get(port, "api.example")
            assert status == 200 and body.startswith(b"[")
        assert get(port, "www.example") == (200, b"www")
        assert get(port, "other.example")[0] == 400  # not a trusted host: Flask refuses it
        app.config["TRUSTED_HOSTS"] = None
        assert get(port, "other.example")[0] == 404  # no route for that host
    assert calls.get("items") == 1

"""Support for the response-cache tests (no tests here): a real ``redis-server`` per test
session on a free loopback port, and a small Flask JSON API using the cache."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (no persistence), for the whole session."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip(
            "redis-server not found: `sudo apt-get install redis-server` (Debian/Ubuntu; "
            "`./dev test` installs it when run as root) to run the Redis backend tests"
        )
    pytest.importorskip("redis", reason="the redis client: pip install -e '.[test]'")
    import redis

    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="assetpipe-redis-")
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
    try:
        yield url
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


class Calls:
    """Thread-safe view call counter by name."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.n: dict[str, int] = {}

    def __call__(self, name: str) -> None:
        with self.lock:
            self.n[name] = self.n.get(name, 0) + 1

    def get(self, name: str) -> int:
        return self.n.get(name, 0)


def make_flask_app(cache: Any, calls: Calls, slow: float = 0.0, early: bool = False) -> Any:
    """A JSON API whose views count their calls; every cache case has a route. ``early``: with
    ``answer_hits_early`` (hits answered before Flask's dispatch; ``calls("dispatch")`` counts
    the requests Flask dispatched, from a teardown function)."""
    from flask import Flask, jsonify, make_response, request, session

    from assetpipe.serve.rcache.flask import answer_hits_early, cached

    app = Flask("rcache_test")
    app.secret_key = "test"
    items: list[dict[str, Any]] = [
        {"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(200)
    ]

    @app.get("/items")
    @cached(cache, ttl=60, tags=["items"])
    def list_items() -> Any:
        calls("items")
        if slow:
            time.sleep(slow)
        return jsonify(items)

    @app.get("/search")
    @cached(cache, ttl=60, tags=["items"])
    def search() -> Any:
        calls("search")
        q = request.args.get("q", "")
        return jsonify([i for i in items if q in i["name"]] + [{"q": q, "pad": "x" * 600}])

    @app.get("/lang")
    @cached(cache, ttl=60)
    def lang() -> Any:
        calls("lang")
        resp = make_response(jsonify(lang=request.headers.get("X-Lang", "en"), pad="y" * 600))
        resp.headers["Vary"] = "X-Lang"
        return resp

    @app.get("/cookie")
    @cached(cache, ttl=60)
    def cookie() -> Any:
        calls("cookie")
        resp = make_response(jsonify(items[:50]))
        resp.set_cookie("session", "s3cr3t")
        return resp

    @app.get("/private")
    @cached(cache, ttl=60)
    def private() -> Any:
        calls("private")
        resp = make_response(jsonify(items[:50]))
        resp.headers["Cache-Control"] = "private, max-age=60"
        return resp

    @app.get("/me")
    @cached(cache, ttl=60)
    def me_shared() -> Any:  # no user key: an authenticated request must never be cached
        calls("me")
        return jsonify(user=request.headers.get("Authorization", ""), pad="z" * 600)

    @app.get("/me-keyed")
    @cached(cache, ttl=60, user=lambda req: req.header("authorization") or None)
    def me_keyed() -> Any:
        calls("me-keyed")
        return jsonify(user=request.headers.get("Authorization", ""), pad="z" * 600)

    @app.get("/session")
    @cached(cache, ttl=60)
    def from_session() -> Any:  # reads the session: per user, never shared without a user key
        calls("session")
        return jsonify(name=session.get("name", "anonymous"), pad="s" * 600)

    @app.get("/tenant")
    @cached(cache, ttl=60, key=("path", "header:X-Tenant"))
    def tenant() -> Any:
        calls("tenant")
        return jsonify(tenant=request.headers.get("X-Tenant"), q=request.args.get("q"))

    @app.get("/by-page")
    @cached(cache, ttl=60, key=lambda req: "page=" + request.args.get("page", "1"))
    def by_page() -> Any:  # the key callable reads flask.request: it needs a request context
        calls("by-page")
        return jsonify(page=request.args.get("page", "1"), other=request.args.get("other"))

    @app.teardown_request
    def dispatched(exc: BaseException | None) -> None:
        calls("dispatch")

    if early:
        answer_hits_early(app)
    return app

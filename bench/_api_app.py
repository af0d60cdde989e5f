"""The Flask JSON API ``bench/api_load.py`` runs under gunicorn, in one of the configurations
chosen by ``ASSETPIPE_BENCH_MODE``:

- ``none``: plain Flask, no cache, no compression;
- ``flask-caching``: flask-caching's ``SimpleCache`` + flask-compress, as their docs show them
  (``Cache(app, config=...)``, ``@cache.cached(timeout=60, query_string=True)``, ``Compress(app)``);
- ``assetpipe``: ``@cached(ResponseCache(MemoryBackend()), ttl=60)`` on each view (in process),
  with ``answer_hits_early(app)`` (a hit is answered before Flask's dispatch);
- ``assetpipe-mw``: ``ResponseCacheMiddleware(app.wsgi_app, cache, {"/api/": Rule(60)})``
  around the app (in process): a hit never enters Flask;
- ``assetpipe-redis``: the middleware over ``RedisBackend`` (``ASSETPIPE_BENCH_REDIS``);
- ``floor``: no Flask and no cache: a WSGI function answering each URL of the mix from a table
  of its bytes (brotli at the cache's quality, or identity under 500 bytes, with the headers a
  cache hit carries), built at import. What any cache's hit costs at least under this server:
  gunicorn's own work per request.

Endpoints: ``/api/items`` (the 500-item list), ``/api/items/<id>`` (detail),
``/api/search?q=`` (a search). Each runs a simulated 20-50 ms query (``time.sleep``) and counts
it; ``worker_exit`` (gunicorn hook, ``bench/_api_gunicorn.py``) writes each worker's count to
``ASSETPIPE_BENCH_COUNTS`` so the bench knows how many requests reached the "database".
"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any

from flask import Flask, abort, jsonify, request

MODE = os.environ.get("ASSETPIPE_BENCH_MODE", "none")
ITEMS: list[dict[str, Any]] = [
    {
        "id": i,
        "name": f"Item {i}",
        "price": round(3 + i * 0.37, 2),
        "tags": ["kitchen", "garden", "tools"][i % 3 :],
        "stock": (i * 7) % 50,
        "description": f"A sturdy item number {i}, made to last; ships in {i % 5 + 1} days.",
    }
    for i in range(1, 501)
]
BY_ID = {item["id"]: item for item in ITEMS}

_queries = 0
SIMULATE = True  # False while the floor's table is built
_lock = threading.Lock()


def query(result: Any) -> Any:
    """The simulated database: 20-50 ms, counted."""
    global _queries
    if not SIMULATE:
        return result
    time.sleep(random.uniform(0.020, 0.050))
    with _lock:
        _queries += 1
    return result


def queries() -> int:
    return _queries


app = Flask(__name__)

if MODE == "flask-caching":
    from flask_caching import Cache
    from flask_compress import Compress

    Compress(app)
    _fc = Cache(app, config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 60})

    def cache_view(fn: Any) -> Any:
        return _fc.cached(timeout=60, query_string=True)(fn)
elif MODE == "assetpipe":
    from assetpipe.serve.rcache import MemoryBackend, ResponseCache
    from assetpipe.serve.rcache.flask import cached

    _rc = ResponseCache(MemoryBackend(), name="api")

    def cache_view(fn: Any) -> Any:
        return cached(_rc, ttl=60)(fn)
else:

    def cache_view(fn: Any) -> Any:
        return fn


@app.get("/api/items")
@cache_view
def list_items() -> Any:
    return jsonify(query(ITEMS))


@app.get("/api/items/<int:item_id>")
@cache_view
def item_detail(item_id: int) -> Any:
    item = query(BY_ID.get(item_id))
    if item is None:
        abort(404)
    return jsonify(item)


@app.get("/api/search")
@cache_view
def search() -> Any:
    q = request.args.get("q", "").lower()
    return jsonify(
        query([i for i in ITEMS if q in i["description"].lower() or q in i["name"].lower()][:50])
    )


if MODE == "assetpipe":
    from assetpipe.serve.rcache.flask import answer_hits_early

    answer_hits_early(app)

if MODE in ("assetpipe-mw", "assetpipe-redis"):
    from assetpipe.serve.rcache import (
        MemoryBackend,
        RedisBackend,
        ResponseCache,
        ResponseCacheMiddleware,
        Rule,
    )

    _backend: Any = (
        RedisBackend(url=os.environ["ASSETPIPE_BENCH_REDIS"])
        if MODE == "assetpipe-redis"
        else MemoryBackend()
    )
    app.wsgi_app = ResponseCacheMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, ResponseCache(_backend, name="api"), {"/api/": Rule(ttl=60)}
    )

if MODE == "floor":
    import hashlib

    import brotli

    def _tag(body: bytes) -> str:
        return hashlib.blake2b(body, digest_size=12).hexdigest()

    def _floor_table() -> dict[str, tuple[list[tuple[str, str]], bytes]]:
        table: dict[str, tuple[list[tuple[str, str]], bytes]] = {}
        urls = ["/api/items", *(f"/api/items/{i}" for i in range(1, 101))]
        from bench.api_load import WORDS

        urls += [f"/api/search?q={w}" for w in WORDS]
        for url in urls:
            with app.test_request_context(url):
                path = url.partition("?")[0]
                view, args = app.url_map.bind("127.0.0.1").match(path)
                result: Any = app.view_functions[view](**args)
                body = app.make_response(result).get_data()
            headers = [("Content-Type", "application/json"), ("ETag", f'"{_tag(body)}"')]
            if len(body) >= 500:
                body = brotli.compress(body, quality=6)
                headers += [("Vary", "Accept-Encoding"), ("Content-Encoding", "br")]
            table[url] = ([*headers, ("Content-Length", str(len(body)))], body)
        return table

    SIMULATE = False
    _FLOOR = _floor_table()
    SIMULATE = True

    def floor_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        qs = environ.get("QUERY_STRING", "")
        found = _FLOOR.get(environ.get("PATH_INFO", "") + ("?" + qs if qs else ""))
        if found is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        start_response("200 OK", list(found[0]))
        return [found[1]]

    app.wsgi_app = floor_app  # type: ignore[method-assign]

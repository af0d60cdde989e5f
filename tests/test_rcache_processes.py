"""The response cache across processes (Redis: one render for two server processes, a crashed
holder's lock expires) and under ASGI (uvicorn: hits on the loop, single flight, 304)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from assetpipe.serve.rcache import MemoryBackend, RedisBackend, ResponseCache, Rule
from assetpipe.serve.rcache.asgi import ResponseCacheMiddleware
from tests.rcache_support import _free_port, redis_url  # noqa: F401 (fixture)
from tests.test_serve_support import asgi_server, decode, request

SERVER = textwrap.dedent("""
    import sys, time
    from wsgiref.simple_server import make_server, WSGIServer
    from socketserver import ThreadingMixIn
    import redis
    from assetpipe.serve.rcache import RedisBackend, ResponseCache, ResponseCacheMiddleware, Rule

    url, port = sys.argv[1], int(sys.argv[2])
    counter = redis.Redis.from_url(url)

    def app(environ, start_response):
        counter.incr("renders")          # every render, whichever process runs it
        time.sleep(0.5)
        body = b'{"items": [' + b",".join(b"%d" % i for i in range(300)) + b']}'
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    cache = ResponseCache(RedisBackend(url=url, prefix="xproc:"), name="xproc")
    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
    httpd = make_server("127.0.0.1", port, ResponseCacheMiddleware(app, cache, {"/api/": Rule(60)}),
                        server_class=Server)
    print("ready", flush=True)
    httpd.serve_forever()
""")


def test_single_flight_across_two_processes(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    import redis

    r = redis.Redis.from_url(redis_url)
    r.delete("renders")
    RedisBackend(r, prefix="xproc:").clear()
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), redis_url, str(p)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in ports
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        statuses: list[int] = []
        threads = [
            threading.Thread(target=lambda p=p: statuses.append(request(p, "/api/items").status))
            for p in ports * 8
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert statuses == [200] * 16
        assert int(r.get("renders") or 0) == 1  # one render for sixteen requests, two processes
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
            assert proc.stdout is not None
            proc.stdout.close()
        r.close()


def test_a_dead_holders_lock_expires(redis_url: str) -> None:  # noqa: F811
    backend = RedisBackend(url=redis_url, prefix="lock-test:")
    token = backend.acquire("k", timeout=0.3)  # a holder that will never release
    assert token is not None
    assert backend.acquire("k", timeout=0.3) is None
    assert backend.wait("k", timeout=0.05) is False  # still held: the wait times out
    assert backend.wait("k", timeout=5) is True  # then the lock expires on its own
    again = backend.acquire("k", timeout=5)
    assert again is not None
    backend.release("k", token)  # the old holder's late release must not free the new lock
    assert backend.acquire("k", timeout=5) is None
    backend.release("k", again)
    assert backend.acquire("k", timeout=5) is not None


def test_asgi_hits_single_flight_and_304() -> None:
    renders: list[int] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        renders.append(1)
        await asyncio.sleep(0.3)
        body = json.dumps([{"id": i, "name": f"item {i}"} for i in range(200)]).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body[:100], "more_body": True})
        await send({"type": "http.response.body", "body": body[100:]})

    cache = ResponseCache(MemoryBackend(), name="asgi-test")
    with asgi_server(ResponseCacheMiddleware(app, cache, {"/api/": Rule(60)})) as port:
        statuses: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: statuses.append(
                    request(port, "/api/items", headers={"Accept-Encoding": "br"}).status
                )
            )
            for _ in range(10)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert statuses == [200] * 10 and len(renders) == 1
        hit = request(port, "/api/items", headers={"Accept-Encoding": "br"})
        assert hit.headers["content-encoding"] == "br"
        assert len(json.loads(decode(hit))) == 200
        nm = request(
            port,
            "/api/items",
            headers={"Accept-Encoding": "br", "If-None-Match": hit.headers["etag"]},
        )
        assert nm.status == 304 and len(renders) == 1
        head = request(port, "/api/items", "HEAD", {"Accept-Encoding": "br"})
        assert head.headers["content-length"] == hit.headers["content-length"]
        assert request(port, "/other").status == 200 and len(renders) == 2  # no rule: app


def test_redis_hit_fetches_only_the_representation_it_sends(redis_url: str) -> None:  # noqa: F811
    from assetpipe.serve.rcache.rules import Captured

    backend = RedisBackend(url=redis_url, prefix="repr-test:", near_seconds=0)  # no near copies
    cache = ResponseCache(backend, name="repr-test")
    body = json.dumps([{"id": i, "name": f"item {i}"} for i in range(300)]).encode()
    entry = cache.make_entry(Captured("200 OK", [("Content-Type", "application/json")], body), ())
    assert set(entry.bodies) == {"identity", "br", "gzip"}
    backend.store("b", "k", entry, 60)
    for accept, want in (
        ("br, gzip", "br"),
        ("gzip", "gzip"),
        (None, "identity"),
        ("gzip;q=1, br;q=0", "gzip"),
        ("zstd", "identity"),
    ):
        _, got = backend.lookup("b", "k", accept)
        assert got is not None and set(got.bodies) == {want}, accept
        reply = got.reply(accept)
        assert reply.encoding == want and reply.body == entry.bodies[want]
        assert dict(reply.headers)["ETag"] == entry.etag(want)
    backend.clear()


def test_asgi_redis_near_hits_are_answered_on_the_loop(redis_url: str) -> None:  # noqa: F811
    """Over Redis, a hit the near cache holds is answered on the event loop (the key callable
    runs on the loop's thread), a lookup it cannot answer goes to a worker thread, and an
    invalidation is seen at once."""
    loop_threads: list[str] = []
    key_threads: list[str] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        loop_threads.append(threading.current_thread().name)
        body = json.dumps([{"id": i, "name": f"item {i}"} for i in range(200)]).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def key(req: Any) -> str:
        key_threads.append(threading.current_thread().name)
        return str(req.path)

    backend = RedisBackend(url=redis_url, prefix="asgi-near:", near_seconds=60)
    cache = ResponseCache(backend, name="asgi-near")
    try:
        with asgi_server(ResponseCacheMiddleware(app, cache, {"/api/": Rule(60, key=key)})) as port:

            def get() -> Any:
                r = request(port, "/api/items", headers={"Accept-Encoding": "br"})
                assert r.status == 200 and len(json.loads(decode(r))) == 200
                return r

            first = get()  # a miss: rendered on the loop, stored through a worker thread
            assert len(loop_threads) == 1 and loop_threads[0] not in key_threads[-1:]
            assert _wait_live(backend)
            get()  # from Redis (the near cache was told of the store): kept near
            del key_threads[:]
            for _ in range(5):
                assert get().headers["etag"] == first.headers["etag"]
            assert set(key_threads) == {loop_threads[0]}  # every lookup on the loop
            assert len(loop_threads) == 1
            assert cache.invalidate("/api/items") == 1
            get()
            assert len(loop_threads) == 2  # rendered again at once
    finally:
        backend.clear()
        backend.close()


def _wait_live(backend: RedisBackend) -> bool:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if backend.near is not None and backend.near.live:
            return True
        time.sleep(0.02)
    return False

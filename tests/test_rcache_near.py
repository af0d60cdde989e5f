"""The Redis backend's near cache (a real redis-server): a repeated hit costs no round trip, and
a store or an invalidation in one process drops the copies another process keeps, through the
pub/sub message (the copies there are kept 60 s, so nothing else could drop them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetpipe.serve.rcache import RedisBackend, ResponseCache
from assetpipe.serve.rcache.rules import Captured, Request
from tests.rcache_support import _free_port, redis_url  # noqa: F401 (fixture)
from tests.test_serve_support import decode, request

SERVER = textwrap.dedent("""
    import json, sys
    from wsgiref.simple_server import make_server, WSGIServer
    from socketserver import ThreadingMixIn
    import redis
    from assetpipe.serve.rcache import RedisBackend, ResponseCache, ResponseCacheMiddleware, Rule

    url, port = sys.argv[1], int(sys.argv[2])
    counter = redis.Redis.from_url(url)
    backend = RedisBackend(url=url, prefix="near:", near_seconds=60)

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/near":   # what this process keeps (not cached)
            near = backend.near
            body = json.dumps({"live": near.live, "copies": len(near._data)}).encode()
        else:
            counter.incr("renders")
            version = int(counter.get("version") or 0)
            body = json.dumps({"version": version, "items": list(range(300))}).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    cache = ResponseCache(backend, name="near")
    rules = {"/api/": Rule(60, tags=["items"])}
    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
    httpd = make_server("127.0.0.1", port, ResponseCacheMiddleware(app, cache, rules),
                        server_class=Server)
    print("ready", flush=True)
    httpd.serve_forever()
""")


def _until(check: Any, seconds: float = 10.0) -> Any:
    """Poll ``check()`` until it is truthy (a message between processes takes some time)."""
    deadline = time.monotonic() + seconds
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def _live(backend: RedisBackend) -> bool:
    assert backend.near is not None
    backend.lookup("-", "-")  # starts the listener on first use
    return _until(lambda: backend.near is not None and backend.near.live)  # type: ignore[no-any-return]


def test_a_repeated_hit_costs_no_round_trip(redis_url: str) -> None:  # noqa: F811
    import redis

    backend = RedisBackend(url=redis_url, prefix="near-rt:")
    cache = ResponseCache(backend, name="near-rt")
    r = redis.Redis.from_url(redis_url)
    try:
        assert _live(backend)
        body = json.dumps(list(range(400))).encode()
        entry = cache.make_entry(
            Captured("200 OK", [("Content-Type", "application/json")], body), ()
        )
        backend.store("b", "k", entry, 60)
        _, first = backend.lookup("b", "k", "br")  # from Redis, every body, kept near
        assert first is not None and set(first.bodies) == {"identity", "br", "gzip"}
        before = int(r.info("stats")["total_commands_processed"])
        for accept in ("br", "gzip", None) * 20:
            _, got = backend.lookup("b", "k", accept)
            assert got is not None and got.reply(accept).body == entry.bodies[got.choose(accept)]
        after = int(r.info("stats")["total_commands_processed"])
        assert after - before == 1  # the INFO command itself: sixty hits, no round trip
        backend.invalidate("b")  # this process reads its own change at once
        assert backend.lookup("b", "k", "br") == (None, None)
    finally:
        backend.clear()
        backend.close()
        r.close()


@pytest.fixture
def other_process(redis_url: str, tmp_path: Path) -> Iterator[int]:  # noqa: F811
    import redis

    r = redis.Redis.from_url(redis_url)
    r.delete("renders", "version")
    RedisBackend(r, prefix="near:", near_seconds=0).clear()
    r.close()
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, str(script), redis_url, str(port)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        request(port, "/api/warm")  # starts its listener
        assert _until(lambda: json.loads(request(port, "/near").body)["live"])
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        assert proc.stdout is not None
        proc.stdout.close()


def _version(port: int) -> int:
    r = request(port, "/api/items", headers={"Accept-Encoding": "br"})
    assert r.status == 200
    return int(json.loads(decode(r))["version"])


def test_a_change_in_one_process_reaches_the_others_copies(
    redis_url: str,  # noqa: F811
    other_process: int,
) -> None:
    import redis

    port = other_process
    r = redis.Redis.from_url(redis_url)
    here = ResponseCache(RedisBackend(r, prefix="near:"), name="near")  # as the other's
    try:
        assert _version(port) == 0
        assert _version(port) == 0
        assert json.loads(request(port, "/near").body)["copies"] >= 1  # kept there, for 60 s
        renders = int(r.get("renders") or 0)

        # by key: the next request there renders the new version
        r.set("version", 1)
        assert here.invalidate("/api/items") == 1
        assert _until(lambda: _version(port) == 1)
        assert int(r.get("renders") or 0) == renders + 1

        # by tag
        r.set("version", 2)
        assert here.invalidate_tag("items") >= 1
        assert _until(lambda: _version(port) == 2)

        # a store here replaces the entry there: the other process drops its copy
        assert _version(port) == 2  # kept near there again
        r.set("version", 3)
        body = json.dumps({"version": 3, "items": []}).encode()
        captured = Captured("200 OK", [("Content-Type", "application/json")], body)
        seen_there = Request("GET", "/api/items", "", {"host": "127.0.0.1"})  # test_serve_support's
        key = here.variant("near|/api/items", None, (), seen_there)
        here.backend.store("near|/api/items", key, here.make_entry(captured, ()), 60)
        assert _until(lambda: _version(port) == 3)
    finally:
        here.backend.close()  # type: ignore[attr-defined]
        r.close()


def test_a_forked_child_listens_on_its_own(redis_url: str) -> None:  # noqa: F811
    """A backend made before a fork (gunicorn --preload): the child starts its own listener on
    first use, keeps its own copies, and hears the parent's changes."""
    import redis

    backend = RedisBackend(url=redis_url, prefix="near-fork:", near_seconds=60)
    cache = ResponseCache(backend, name="near-fork")
    entry = cache.make_entry(
        Captured("200 OK", [("Content-Type", "application/json")], b"[1, 2, 3]"), ()
    )
    assert _live(backend)
    backend.store("b", "k", entry, 60)
    to_child, from_parent = os.pipe()
    to_parent, from_child = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report each step on the pipe, never return into pytest
        code = 1
        try:
            os.close(from_parent)
            os.close(to_parent)
            near = backend.near
            assert near is not None and not near.live and near._pid is None
            assert _live(backend)  # its own listener, subscribed
            assert backend.lookup("b", "k")[1] is not None
            assert len(near._data) == 2  # the index and the entry, kept
            os.write(from_child, b"kept\n")
            os.read(to_child, 3)  # the parent has invalidated
            gone = _until(lambda: backend.lookup("b", "k") == (None, None))
            code = 0 if gone else 2
        except BaseException as exc:
            os.write(from_child, repr(exc).encode()[:200])
            code = 3
        finally:
            os._exit(code)
    os.close(to_child)
    os.close(from_child)
    r = redis.Redis.from_url(redis_url)
    try:
        assert os.read(to_parent, 200) == b"kept\n"
        assert backend.invalidate("b") == 1
        os.write(from_parent, b"go\n")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(from_parent)
        os.close(to_parent)
        backend.clear()
        backend.close()
        r.close()


def _calls(r: Any, command: str) -> int:
    stats = r.info("commandstats").get(f"cmdstat_{command}")
    return int(stats["calls"]) if stats else 0


def test_a_copy_past_near_seconds_is_checked_not_fetched_again(redis_url: str) -> None:  # noqa: F811
    """Past ``near_seconds`` a copy is checked against Redis by its stored meta (one small read)
    and kept again if unchanged; a change the near cache did not hear of is read whole."""
    import redis

    backend = RedisBackend(url=redis_url, prefix="near-check:", near_seconds=0.2)
    deaf = RedisBackend(url=redis_url, prefix="near-check:", near_seconds=0)  # publishes nothing
    cache = ResponseCache(backend, name="near-check")
    r = redis.Redis.from_url(redis_url)

    def entry(n: int) -> Any:
        body = json.dumps(list(range(n))).encode()
        return cache.make_entry(
            Captured("200 OK", [("Content-Type", "application/json")], body), ()
        )

    try:
        assert _live(backend)
        first = entry(400)
        backend.store("b", "k", first, 60)
        _, kept = backend.lookup("b", "k", "br")  # from Redis, whole, kept near
        assert kept is not None and kept.bodies == first.bodies
        time.sleep(0.3)  # past near_seconds
        whole, small = _calls(r, "hgetall"), _calls(r, "hget")
        _, again = backend.lookup("b", "k", "br")
        assert again is kept  # the same copy, checked
        assert _calls(r, "hgetall") == whole and _calls(r, "hget") == small + 1
        assert backend.lookup("b", "k", "br")[1] is kept  # kept near again: no round trip
        assert _calls(r, "hget") == small + 1

        second = entry(500)
        deaf.store("b", "k", second, 60)  # a change no message tells of
        time.sleep(0.3)
        _, changed = backend.lookup("b", "k", "br")
        assert changed is not None and changed.bodies == second.bodies
        assert _calls(r, "hgetall") == whole + 1

        deaf.invalidate("b")  # gone, unheard: the check finds nothing
        time.sleep(0.3)
        assert backend.lookup("b", "k", "br") == (None, None)
    finally:
        backend.clear()
        backend.close()
        r.close()


def test_copies_past_near_seconds_are_checked_together(redis_url: str) -> None:  # noqa: F811
    """The first lookup that finds its copy past ``near_seconds`` checks every due copy in the
    same round trip: the next lookups are answered near, without a round trip each."""
    import redis

    backend = RedisBackend(url=redis_url, prefix="near-batch:", near_seconds=0.3)
    cache = ResponseCache(backend, name="near-batch")
    r = redis.Redis.from_url(redis_url)
    try:
        assert _live(backend)
        entries = {}
        for i in range(5):
            body = json.dumps(list(range(100 + i))).encode()
            entries[f"k{i}"] = cache.make_entry(
                Captured("200 OK", [("Content-Type", "application/json")], body), ()
            )
            backend.store(f"b{i}", f"k{i}", entries[f"k{i}"], 60)
        kept = {k: backend.lookup(f"b{k[1]}", k, "br")[1] for k in entries}  # kept near
        assert all(e is not None and e.bodies == entries[k].bodies for k, e in kept.items())
        time.sleep(0.4)  # every copy past near_seconds
        whole, small, gets = _calls(r, "hgetall"), _calls(r, "hget"), _calls(r, "get")
        trips = int(r.info("stats")["total_commands_processed"])
        for k in entries:
            assert backend.lookup(f"b{k[1]}", k, "br")[1] is kept[k]
        assert _calls(r, "hget") == small + 5 and _calls(r, "get") == gets + 5  # each once
        assert _calls(r, "hgetall") == whole
        # one pipeline (5 HGET, 5 GET, 10 PTTL) and the INFO/commandstats reads: no other trip
        assert int(r.info("stats")["total_commands_processed"]) - trips == 20 + 4
    finally:
        backend.clear()
        backend.close()
        r.close()

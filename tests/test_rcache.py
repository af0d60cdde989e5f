"""The response cache's semantics over real HTTP (wsgiref), with a Flask app using the
``cached`` decorator, against both backends: in-process and a real redis-server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assetpipe.serve.rcache import MemoryBackend, RedisBackend, ResponseCache
from tests.rcache_support import Calls, make_flask_app, redis_url  # noqa: F401 (fixture)
from tests.test_serve_support import decode, request, wsgi_server


@pytest.fixture(
    params=[
        ("memory", False),
        ("memory", True),
        ("redis", False),
        ("redis", True),
    ],
    ids=["memory", "memory-early", "redis", "redis-early"],
)
def setup(request: pytest.FixtureRequest) -> Iterator[tuple[int, ResponseCache, Calls]]:
    """Each semantic through Flask's dispatch and with ``answer_hits_early``, on both
    backends."""
    kind, early = request.param
    if kind == "redis":
        url = request.getfixturevalue("redis_url")
        backend: Any = RedisBackend(url=url, prefix=f"t:{request.node.name}:")
    else:
        backend = MemoryBackend()
    cache = ResponseCache(backend, name=f"test-{kind}")
    cache.clear()
    calls = Calls()
    with wsgi_server(make_flask_app(cache, calls, slow=0.3, early=early)) as port:
        yield port, cache, calls
    cache.clear()


BR = {"Accept-Encoding": "br"}


def test_hit_serves_the_stored_compressed_bytes(setup: Any) -> None:
    port, cache, calls = setup
    first = request(port, "/items", headers=BR)
    again = request(port, "/items", headers=BR)
    plain = request(port, "/items")
    gz = request(port, "/items", headers={"Accept-Encoding": "gzip"})
    assert calls.get("items") == 1
    assert first.status == again.status == 200
    assert again.headers["content-encoding"] == "br" and again.body == first.body
    assert gz.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert json.loads(decode(again)) == json.loads(plain.body) == json.loads(decode(gz))
    assert int(again.headers["content-length"]) == len(again.body) < len(plain.body) / 3
    tags = {r.headers["etag"] for r in (again, plain, gz)}
    assert len(tags) == 3 and all(t.startswith('"') for t in tags)  # strong, one per encoding
    assert again.headers["vary"] == "Accept-Encoding"
    stats = cache.stats()
    assert stats["hit"] == 3 and stats["miss"] == 1 and stats["store"] == 1


def test_if_none_match_304_without_calling_the_view(setup: Any) -> None:
    port, _, calls = setup
    etag = request(port, "/items", headers=BR).headers["etag"]
    r = request(port, "/items", headers={**BR, "If-None-Match": etag})
    assert r.status == 304 and r.body == b"" and r.headers["etag"] == etag
    assert r.headers["vary"] == "Accept-Encoding"
    assert calls.get("items") == 1
    # another encoding's tag does not validate this one
    assert request(port, "/items", headers={"If-None-Match": etag}).status == 200


def test_head_matches_the_get(setup: Any) -> None:
    port, _, calls = setup
    get = request(port, "/items", headers=BR)
    head = request(port, "/items", "HEAD", BR)
    assert head.body == b""
    for name in ("content-encoding", "content-length", "etag", "vary"):
        assert head.headers[name] == get.headers[name]
    assert calls.get("items") == 1


def test_query_string_is_part_of_the_key(setup: Any) -> None:
    port, _, calls = setup
    a = request(port, "/search?q=1&x=2")
    request(port, "/search?x=2&q=1")  # same parameters, other order: same entry
    b = request(port, "/search?q=2")
    assert calls.get("search") == 2
    assert json.loads(a.body)[-1]["q"] == "1" and json.loads(b.body)[-1]["q"] == "2"


def test_user_given_key_header(setup: Any) -> None:
    port, _, calls = setup
    a = request(port, "/tenant?q=ignored", headers={"X-Tenant": "acme"})
    request(port, "/tenant?q=other", headers={"X-Tenant": "acme"})  # the query is not in the key
    b = request(port, "/tenant", headers={"X-Tenant": "globex"})
    assert calls.get("tenant") == 2
    assert json.loads(a.body)["tenant"] == "acme" and json.loads(b.body)["tenant"] == "globex"


def test_response_vary_is_honoured(setup: Any) -> None:
    port, _, calls = setup
    en = request(port, "/lang", headers={"X-Lang": "en"})
    fr = request(port, "/lang", headers={"X-Lang": "fr"})
    en2 = request(port, "/lang", headers={"X-Lang": "en"})
    assert calls.get("lang") == 2
    assert json.loads(en.body)["lang"] == json.loads(en2.body)["lang"] == "en"
    assert json.loads(fr.body)["lang"] == "fr"
    assert fr.headers["vary"] == "X-Lang, Accept-Encoding"


@pytest.mark.parametrize("path", ["/cookie", "/private"])
def test_set_cookie_and_private_never_cached(setup: Any, path: str) -> None:
    port, cache, calls = setup
    for _ in range(3):
        r = request(port, path, headers=BR)
        assert r.status == 200
    assert calls.get(path.strip("/")) == 3
    assert cache.stats()["store"] == 0 and cache.stats()["bypass"] == 3


def test_an_uncacheable_key_skips_single_flight(setup: Any) -> None:
    """Once a key's response proved unshareable, callers render side by side instead of
    waiting for one another's lock (each would then render anyway)."""
    port, cache, calls = setup
    backend = cache.backend
    acquired: list[str] = []
    original: Callable[[str, float], str | None] = backend.acquire

    def counting_acquire(key: str, timeout: float) -> str | None:
        acquired.append(key)
        return original(key, timeout)

    backend.acquire = counting_acquire
    try:
        for _ in range(4):
            assert request(port, "/cookie").status == 200
        request(port, "/items")
        request(port, "/items")
    finally:
        backend.acquire = original
    assert calls.get("cookie") == 4
    assert len(acquired) == 2  # the first /cookie and the first /items; no later /cookie


def test_authenticated_user_only_with_the_user_in_the_key(setup: Any) -> None:
    port, _, calls = setup
    for who in ("Bearer alice", "Bearer bob", "Bearer alice"):
        r = request(port, "/me", headers={"Authorization": who})
        assert json.loads(r.body)["user"] == who
    assert calls.get("me") == 3  # no user key: never cached, never shared
    seen = [
        json.loads(request(port, "/me-keyed", headers={"Authorization": w}).body)["user"]
        for w in ("Bearer alice", "Bearer bob", "Bearer alice", "Bearer bob")
    ]
    assert seen == ["Bearer alice", "Bearer bob", "Bearer alice", "Bearer bob"]
    assert calls.get("me-keyed") == 2  # one entry per user


def test_a_view_reading_the_session_is_not_shared(setup: Any) -> None:
    port, _, calls = setup
    for _ in range(3):
        assert request(port, "/session").status == 200
    assert calls.get("session") == 3


def test_invalidation_by_key_and_by_tag(setup: Any) -> None:
    port, cache, calls = setup
    request(port, "/items")
    request(port, "/search?q=1")
    assert cache.invalidate("/items") == 1
    request(port, "/items")
    request(port, "/search?q=1")
    assert (calls.get("items"), calls.get("search")) == (2, 1)
    assert cache.invalidate_tag("items") == 2
    request(port, "/items")
    request(port, "/search?q=1")
    assert (calls.get("items"), calls.get("search")) == (3, 2)


def test_each_host_has_its_own_entry_and_invalidation_drops_all(
    redis_url: str,  # noqa: F811 (the fixture)
) -> None:
    """One app answering two hosts (virtual hosts, Flask's host matching) may answer one path
    differently per host: a hit for one host is never served to the other."""
    for backend in (MemoryBackend(), RedisBackend(url=redis_url, prefix="t:hosts:")):
        for early in (False, True):
            cache = ResponseCache(backend, name="hosts")
            cache.clear()
            calls = Calls()
            client = make_flask_app(cache, calls, early=early).test_client()
            for host in ("a.example", "b.example", "a.example", "B.example"):
                assert client.get("/items", headers={"Host": host}).status_code == 200
            assert calls.get("items") == 2  # one per host; the host's case does not matter
            assert cache.invalidate("/items") == 2
            client.get("/items", headers={"Host": "a.example"})
            assert calls.get("items") == 3
            cache.clear()


def test_single_flight_on_a_miss(setup: Any) -> None:
    port, cache, calls = setup
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(request(port, "/items").status))
        for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 12
    assert calls.get("items") == 1  # the view ran once; the other eleven waited for it
    stats = cache.stats()
    assert stats["miss"] == 1 and stats["wait"] + stats["hit"] == 11


def test_a_key_callable_runs_in_a_request_context(setup: Any) -> None:
    port, _, calls = setup
    one = request(port, "/by-page?page=2&other=a")
    two = request(port, "/by-page?other=b&page=2")  # the key is the page only
    three = request(port, "/by-page?page=3")
    assert calls.get("by-page") == 2
    assert json.loads(one.body) == json.loads(two.body) == {"page": "2", "other": "a"}
    assert json.loads(three.body)["page"] == "3"
